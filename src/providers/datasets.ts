import { AppError } from '../common/problem';

/** The providers and datasets of the contract, with the provider each dataset comes from. */
export const PROVIDERS = ['nogi', 'altinn', 'openbanking'] as const;
export type Provider = (typeof PROVIDERS)[number];
export const DATASETS = ['debt', 'tax-assessment', 'income', 'accounts'] as const;
export type Dataset = (typeof DATASETS)[number];

export const DATASET_PROVIDER: Record<Dataset, Provider> = {
  debt: 'nogi',
  'tax-assessment': 'altinn',
  income: 'altinn',
  accounts: 'openbanking',
};

/** Datasets this build can serve end to end; the others are refused with a 400 until their provider is built. */
const BUILT: ReadonlySet<Dataset> = new Set(['debt', 'tax-assessment', 'income', 'accounts']);

/**
 * The provider of a requested dataset, or a 400 naming `dataset` when PROVIDERS does not enable
 * that provider, or when its provider is not built yet.
 */
export function providerFor(dataset: Dataset, enabled: readonly Provider[]): Provider {
  const provider = DATASET_PROVIDER[dataset];
  if (!enabled.includes(provider)) {
    throw AppError.validation([{ field: 'dataset', message: `${dataset} comes from ${provider}, which is not enabled here (PROVIDERS)` }]);
  }
  if (!BUILT.has(dataset)) {
    throw AppError.validation([{ field: 'dataset', message: `${dataset} is not available yet in this version of the service` }]);
  }
  return provider;
}
