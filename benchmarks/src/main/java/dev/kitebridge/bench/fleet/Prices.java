package dev.kitebridge.bench.fleet;

/**
 * On-demand prices, us-east-1, as README's "What an account costs in AWS" lists them with their date
 * and sources. Free tiers are left out (they are per AWS account, not per integrated account).
 */
public record Prices(String checked, double dynamoWritePerMillion, double dynamoReadPerMillion, double dynamoStoragePerGbMonth,
                     double lambdaArmPerGbSecond, double lambdaPerMillionRequests, double sqsPerMillionRequests,
                     double secretsPer10kCalls, double secretPerMonth) {

    /**
     * DynamoDB on-demand (aws.amazon.com/dynamodb/pricing/on-demand/, since the November 2024 cut):
     * $0.625 per million write request units, $0.125 per million read request units, $0.25 per GB-month
     * (Standard table class). Lambda (aws.amazon.com/lambda/pricing/), arm64: $0.0000133334 per GB-second
     * (first 7.5 billion GB-s a month), $0.20 per million requests. SQS (aws.amazon.com/sqs/pricing/),
     * standard queue: $0.40 per million requests (each 64 KB chunk). Secrets Manager
     * (aws.amazon.com/secrets-manager/pricing/): $0.40 per secret-month, $0.05 per 10,000 API calls.
     */
    public static final Prices US_EAST_1 = new Prices("2026-12-06", 0.625, 0.125, 0.25, 0.0000133334, 0.20, 0.40, 0.05, 0.40);
}
