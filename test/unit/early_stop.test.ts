// Issue 30 item 8: Jest's "a worker process has failed to exit gracefully" after test/unit/search.test.ts.
// A search stopped early (its caller returned after a few results, as the resume tests do) left the
// configuration it had started ahead computing its metrics: native forwards ran on after the run
// had ended and held the test worker's event loop. Now stopping waits for that work; nothing of the
// run computes after return() resolves.
import { Model } from '../../lib';
import { prepareSearch, searchScorer } from '../../lib/search/search';
import { dataKeys, makeSearchData, SEARCH_SPACE } from '../helpers/search_data';

test('return() of a search scorer leaves no metric computing behind it', async () => {
  const { dir } = await makeSearchData();
  const prepared = await prepareSearch({ config: { ...dataKeys(dir), metrics: ['pixel-flipping'], options: { 'pixel-flipping': { featuresInStep: 16 } }, ...SEARCH_SPACE }, baseDir: dir });
  // Counts the model's forwards (the perturbation metrics' calls) in flight.
  const model = prepared.data.model as Model;
  const forward = model.forward.bind(model);
  let inFlight = 0;
  let started = 0;
  model.forward = (async (...args: Parameters<Model['forward']>) => {
    inFlight++;
    started++;
    try {
      return await forward(...args);
    } finally {
      inFlight--;
    }
  }) as Model['forward'];
  const run = searchScorer(prepared).score([0, 1, 2, 3], 4);
  const first = await run.next();
  expect(first.done).toBe(false);
  await run.return(undefined as never);
  expect(inFlight).toBe(0);
  const after = started;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(started).toBe(after);
}, 120000);
