/**
 * The `PreflightHook` the API calls (and `trt-plan --online`): settings from the config and plan,
 * facts from the fetcher (base checkpoint and adapters in parallel), the pure checks, merged into
 * the outcome. Invalid outcomes pass through untouched. Never rejects.
 */
import { applyPreflight, settingsOf } from '../../preflight/apply-preflight.js';
import type { PreflightHook } from '../../preflight/hook.js';
import { runPreflight } from '../../preflight/run-preflight.js';
import type { FactsFetcher } from './facts-fetcher.js';

/** A hook reading facts through `fetcher`. */
export function createPreflightHook(fetcher: FactsFetcher): PreflightHook {
  return async (outcome, configText) => {
    try {
      const settings = settingsOf(outcome, configText);
      if (settings === null) return outcome;
      const [checkpoint, adapters] = await Promise.all([
        settings.checkpoint === null ? Promise.resolve(null) : fetcher.checkpoint(settings.checkpoint),
        Promise.all(settings.adapters.map(async (a) => ({ name: a.name ?? '', result: await fetcher.adapter(a) }))),
      ]);
      return applyPreflight(outcome, configText, runPreflight({ settings, checkpoint, adapters }));
    } catch {
      const notChecked = [{ what: 'checkpoint facts', why: 'internal pre-flight error; please report this config' }];
      return {
        ...outcome,
        preflight: {
          checked: false,
          model: null,
          memory: null,
          calibration: null,
          disk: null,
          buildTimeEstimate: null,
          adapters: [],
          notChecked,
        },
      };
    }
  };
}
