/**
 * CloudWatch's Embedded Metric Format lines ({@link dev.kitebridge.metrics.Metrics}): written by the API's
 * request log, sync runs and webhook deliveries alike, so it sits at the bottom of the map, beside the
 * log format.
 */
package dev.kitebridge.metrics;
