/** The bundle contract: published layout and what each launch config needs from it (pure). */
export * from './layout.js';
export {
  bundleContract,
  checkBundle,
  checkPlanBundle,
  plannedBundleFiles,
  type BundleContract,
  type BundleProblem,
  type LaunchNeeds,
  type Requirement,
} from './contract.js';
