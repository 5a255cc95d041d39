// `faultline check --distributed` with two `faultline worker`s, all over 127.0.0.1.
import { expect } from "vitest";
import { faultline } from "./cli.js";

/**
 * A port per test file run and use (the RMI registry binds it on the server).
 * Below 32768, where Linux's ephemeral range starts (ip_local_port_range), so no
 * outgoing connection of another process can hold it.
 */
export function testPort(n: number): number {
  return 20_000 + ((process.pid * 7) % 12_000) + n * 3;
}

/** Server and two workers over 127.0.0.1; the server's result as JSON. */
export async function distributed(model: string, p: number, dir: string) {
  const server = faultline(["check", "--json", "--distributed", "--port", String(p), "--host", "127.0.0.1", "--worker-wait", "120", model], { TMPDIR: dir });
  let err = "";
  server.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  for (let i = 0; i < 600 && !err.includes("TLC server ready"); i++) await new Promise((r) => setTimeout(r, 100));
  expect(err).toContain(`TLC server ready on port ${p}; start workers with: faultline worker <this-host>:${p}`);
  const workers = [1, 2].map(() => faultline(["worker", `127.0.0.1:${p}`, "--host", "127.0.0.1", "--threads", "1"], { TMPDIR: dir }));
  const [s, ...w] = await Promise.all([server, ...workers]);
  return { server: s, workers: w, json: JSON.parse(s.stdout).results[0] };
}
