/** The deploy queue's contract, shared by its two backends (queue.ts chooses one). */
export interface DeployJob {
  deploymentId: number;
  app: string;
}

export interface DeployQueue {
  readonly backend: 'redis' | 'postgres';
  enqueue(job: DeployJob): Promise<void>;
  work(processor: (job: DeployJob) => Promise<void>, concurrency: number): void;
  close(): Promise<void>;
}
