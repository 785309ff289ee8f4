/**
 * Refusing a WebSocket upgrade: there is no ServerResponse for an upgrade request, so the
 * refusal is an HTTP response written on the raw socket, JSON as the gateway's other answers.
 * Shared by the gateway (project, route, key) and the services that upgrade (realtime's path
 * and protocol version).
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}
