import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const AMOUNT = 'Decimal string as the bank gives it (never a float), e.g. "10000.00" or "-249.50"';

export class AmountDto {
  @ApiProperty({ description: AMOUNT, example: '10000.00', pattern: '^-?[0-9]{1,14}(\\.[0-9]{1,3})?$' }) amount!: string;
  @ApiProperty({ description: 'ISO 4217', example: 'NOK' }) currency!: string;
}

export class BalanceDto {
  @ApiProperty({ description: "The bank's NextGenPSD2 balanceType", example: 'interimAvailable' }) type!: string;
  @ApiProperty({ description: AMOUNT, example: '10000.00' }) amount!: string;
  @ApiProperty({ example: 'NOK' }) currency!: string;
  @ApiPropertyOptional({ format: 'date', example: '2026-12-01' }) referenceDate?: string;
}

export class AccountDto {
  @ApiProperty({ description: "The bank's resourceId (1–100 characters of [A-Za-z0-9._-])", example: 'a1b2c3' }) id!: string;
  @ApiProperty({ example: 'BRUKSKONTO' }) name!: string;
  @ApiProperty({ description: 'Norwegian account number (11 digits)', example: '36330000001' }) bban!: string;
  @ApiPropertyOptional({ example: 'NO9336330000001' }) iban?: string;
  @ApiProperty({ example: 'NOK' }) currency!: string;
  @ApiPropertyOptional({ example: 'Brukskonto' }) product?: string;
  @ApiProperty({ type: [BalanceDto] }) balances!: BalanceDto[];
}

export class AccountsDto {
  @ApiProperty({ type: [AccountDto] }) accounts!: AccountDto[];
}

/** One transaction in NextGenPSD2 1.3 names. */
export class TransactionDto {
  @ApiPropertyOptional() transactionId?: string;
  @ApiPropertyOptional({ format: 'date' }) bookingDate?: string;
  @ApiPropertyOptional({ format: 'date' }) valueDate?: string;
  @ApiProperty({ type: AmountDto }) transactionAmount!: AmountDto;
  @ApiPropertyOptional() creditorName?: string;
  @ApiPropertyOptional() debtorName?: string;
  @ApiPropertyOptional() remittanceInformationUnstructured?: string;
}

export class TransactionsDto {
  @ApiProperty({ description: "The bank's resourceId of the account" }) accountId!: string;
  @ApiProperty({ type: [TransactionDto] }) booked!: TransactionDto[];
  @ApiProperty({ type: [TransactionDto] }) pending!: TransactionDto[];
}
