import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. What goes in: submission ids, trust codes, periods, counts, error codes.
 * What never goes in: NHS numbers, postcodes, dates of birth, file contents or row values. Log
 * calls pass explicit fields; nothing logs whole events (they can carry bearer tokens).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cancer-alliance-platform',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'INFO') as 'INFO',
});
