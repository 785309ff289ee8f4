/**
 * The variables a backend-enabled app's processes get (DESIGN.md "Names and contracts"), beside
 * DATABASE_URL and the app's config vars: what `createClient(process.env.SUPABASE_URL,
 * process.env.SUPABASE_ANON_KEY)` needs, the service-role key for server code, and the database
 * URL under Supabase's name. Only the URL and the anon key get NEXT_PUBLIC_ twins: Next.js
 * inlines NEXT_PUBLIC_ variables into the browser bundle, and the service-role key (which
 * bypasses row-level security) and the database password must never reach a browser.
 */

export interface SupabaseEnvInput {
  urls: { server: string; browser: string };
  anonKey: string;
  serviceRoleKey: string;
  databaseUrl: string | undefined;
}

export function supabaseEnv(input: SupabaseEnvInput): Record<string, string> {
  return {
    SUPABASE_URL: input.urls.server,
    SUPABASE_ANON_KEY: input.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: input.serviceRoleKey,
    ...(input.databaseUrl === undefined ? {} : { SUPABASE_DB_URL: input.databaseUrl }),
    NEXT_PUBLIC_SUPABASE_URL: input.urls.browser,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: input.anonKey,
  };
}
