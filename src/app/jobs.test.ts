import { describe, expect, it } from 'vitest';
import { pokable } from './jobs.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pokable jobs', () => {
  it('coalesces pokes during a round into one more round, and starts rounds at least the gap apart', async () => {
    const starts: number[] = [];
    const job = pokable(
      'test',
      60_000,
      async () => {
        starts.push(performance.now());
        await sleep(5);
      },
      (error) => {
        throw error;
      },
      40,
    );
    job.start();
    job.poke();
    for (let i = 0; i < 50; i++) job.poke(); // during the first round: one more round
    await sleep(150);
    expect(starts).toHaveLength(2);
    expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(39);
    // A poke long after the last round runs at once.
    job.poke();
    expect(starts).toHaveLength(3);
    await job.stop();
  });

  it('stops without running a round that was waiting for its gap', async () => {
    let rounds = 0;
    const job = pokable(
      'test',
      60_000,
      async () => {
        rounds += 1;
      },
      () => undefined,
      50,
    );
    job.start();
    job.poke();
    await sleep(5);
    job.poke(); // waits for the gap
    await job.stop();
    await sleep(80);
    expect(rounds).toBe(1);
  });

  it('reports a failed round and runs again at the next poke', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const job = pokable(
      'test',
      60_000,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('first round fails');
      },
      (error) => errors.push(error),
    );
    job.start();
    job.poke();
    await sleep(5);
    job.poke();
    await sleep(5);
    await job.stop();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('aborts the signal of a round in progress when it stops, so a looping round ends at its next step', async () => {
    let steps = 0;
    const job = pokable(
      'test',
      60_000,
      async (stopping) => {
        while (!stopping.aborted && steps < 10_000) {
          steps += 1;
          await sleep(1);
        }
      },
      () => undefined,
    );
    job.start();
    job.poke();
    await sleep(20);
    await job.stop();
    const atStop = steps;
    expect(atStop).toBeGreaterThan(0);
    expect(atStop).toBeLessThan(10_000);
    await sleep(20);
    expect(steps).toBe(atStop);
  });
});
