/**
 * A TCP proxy on 127.0.0.1 that a test can pause: while paused it cuts every open connection
 * and refuses new ones, as an RPC node that went away.
 */
import { connect, createServer } from "node:net";
import type { Socket } from "node:net";

export interface PausableProxy {
  url: string;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<PausableProxy> {
  const { hostname, port } = new URL(target);
  let paused = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: hostname, port: Number(port) });
    sockets.add(client);
    sockets.add(upstream);
    const cleanup = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", cleanup).on("close", cleanup);
    upstream.on("error", cleanup).on("close", cleanup);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no proxy address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    pause() {
      paused = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    resume() {
      paused = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
