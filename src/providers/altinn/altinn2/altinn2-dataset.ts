import type { ConsentParameters } from '../../../database/entities/consent.entity';
import type { Dataset } from '../../datasets';
import { altinn2ConsentFor, type Altinn2Dataset } from './altinn2-link';
import type { Altinn2Service } from './altinn2-services';

/** The dataset's Altinn resource as the API shows it in `scope`, whatever ALTINN_VERSION (api.md). */
export const ALTINN_RESOURCE_NAMES: Record<Altinn2Dataset, string> = {
  'tax-assessment': 'ske-samtykke-sbl-summert-skattegrunnlag',
  income: 'ske-samtykke-sbl-inntekt',
};

export type Altinn2Resources = Record<Altinn2Dataset, Altinn2Service>;

export function altinn2DatasetOf(dataset: Dataset | undefined): Altinn2Dataset {
  if (dataset === 'tax-assessment' || dataset === 'income') return dataset;
  throw new RangeError(`${dataset} is not an Altinn dataset`);
}

/** The service and metadata a consent for these parameters names (and its token must grant). */
export function altinn2GrantOf(dataset: Altinn2Dataset, resources: Altinn2Resources, parameters: ConsentParameters | null | undefined): { service: Altinn2Service; metadata: Record<string, string> } {
  const { service, metadata } = altinn2ConsentFor(dataset, resources, { incomeYear: parameters?.incomeYear, fromMonth: parameters?.fromMonth, toMonth: parameters?.toMonth });
  return { service, metadata };
}
