import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

const INSTALLMENT_PERIODS = ['MONTHLY', 'QUARTERLY', 'HALF-YEARLY', 'YEARLY'] as const;
const CO_BORROWER = 'coBorrower: 0 = none, 1 = the customer is a co-borrower, 2 = the loan has a co-borrower';

/** Fields every loan variant has (NoGi's units: amounts in øre, interest in hundredths of a percent). */
abstract class LoanBaseDto {
  @ApiProperty({ description: 'When the creditor extracted the data (not the last transaction), ISO-8601', example: '2024-05-21T00:00:00Z' })
  timestamp!: string;

  @ApiProperty({ type: 'integer', enum: [0, 1, 2], description: CO_BORROWER })
  coBorrower!: number;
}

export class CreditFacilityDto extends LoanBaseDto {
  @ApiProperty({ enum: ['creditFacility'] }) type!: 'creditFacility';
  @ApiProperty({ type: 'integer', description: 'Credit limit in øre (NOK × 100)', example: 5000000 }) creditLimit!: number;
  @ApiProperty({ type: 'integer', description: 'Interest-bearing balance in øre', example: 1234500 }) interestBearingBalance!: number;
  @ApiProperty({ type: 'integer', description: 'Non-interest-bearing balance in øre', example: 0 }) nonInterestBearingBalance!: number;
  @ApiProperty({ type: 'integer', description: 'Nominal interest rate in hundredths of a percent (10.20 % → 1020)', example: 1990 }) nominalInterestRate!: number;
  @ApiProperty({ type: 'integer', description: 'Installment charges in øre', example: 4500 }) installmentCharges!: number;
  @ApiProperty({ enum: INSTALLMENT_PERIODS }) installmentChargePeriod!: string;
}

export class RepaymentLoanDto extends LoanBaseDto {
  @ApiProperty({ enum: ['repaymentLoan'] }) type!: 'repaymentLoan';
  @ApiProperty({ type: 'integer', description: 'Original balance in øre', example: 25000000 }) originalBalance!: number;
  @ApiProperty({ type: 'integer', description: 'Balance in øre', example: 18234500 }) balance!: number;
  @ApiProperty({ type: 'integer', description: 'Remaining terms in months', example: 48 }) terms!: number;
  @ApiProperty({ type: 'integer', description: 'Nominal interest rate in hundredths of a percent', example: 1020 }) nominalInterestRate!: number;
  @ApiProperty({ type: 'integer', description: 'Installment charges in øre', example: 5000 }) installmentCharges!: number;
  @ApiProperty({ enum: INSTALLMENT_PERIODS }) installmentChargePeriod!: string;
}

export class ChargeCardDto extends LoanBaseDto {
  @ApiProperty({ enum: ['chargeCard'] }) type!: 'chargeCard';
  @ApiProperty({ type: 'integer', description: 'Interest-bearing balance in øre', example: 6069400 }) interestBearingBalance!: number;
  @ApiProperty({ type: 'integer', description: 'Non-interest-bearing balance in øre', example: 641000 }) nonInterestBearingBalance!: number;
}

@ApiExtraModels(CreditFacilityDto, RepaymentLoanDto, ChargeCardDto)
export class CreditorLoanDto {
  @ApiProperty({ example: 'NORSK GJELDSINFORMASJON AS' })
  creditorName!: string;

  @ApiProperty({
    nullable: true,
    description: 'null when the creditor did not answer (counted in numberOfcreditorsMissing)',
    oneOf: [{ $ref: getSchemaPath(CreditFacilityDto) }, { $ref: getSchemaPath(RepaymentLoanDto) }, { $ref: getSchemaPath(ChargeCardDto) }],
    discriminator: {
      propertyName: 'type',
      mapping: {
        creditFacility: getSchemaPath(CreditFacilityDto),
        repaymentLoan: getSchemaPath(RepaymentLoanDto),
        chargeCard: getSchemaPath(ChargeCardDto),
      },
    },
  })
  loan!: CreditFacilityDto | RepaymentLoanDto | ChargeCardDto | null;
}

export class DebtConsentDto {
  @ApiProperty({ format: 'uuid', description: 'Our consent id (as in /v1/consents/{id})' }) id!: string;
  @ApiProperty({ enum: ['debt.unsecured.presentation', 'debt.unsecured.processing'] }) scope!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: "The consent's expiry (NoGi's consent.exp, converted from epoch seconds); null when NoGi leaves it out" }) expiresAt!: string | null;
}

/** NoGi's debt information without `ssn`; amounts stay integers in øre. */
export class DebtInformationDto {
  @ApiProperty({ type: [CreditorLoanDto] }) loans!: CreditorLoanDto[];
  @ApiProperty({ type: 'integer', example: 3 }) numberOfCreditorsAnswered!: number;
  @ApiProperty({ type: 'integer', example: 1, description: "NoGi's exact key (lowercase c): creditors that did not answer" }) numberOfcreditorsMissing!: number;
  @ApiProperty({ type: DebtConsentDto }) consent!: DebtConsentDto;
  @ApiPropertyOptional({ format: 'date-time', description: 'When this service collected it from NoGi' }) collectedAt?: string;
}
