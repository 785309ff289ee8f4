/** Log search (issue 18): the query language, its SQL, and the search over runtime logs. */
export { LogQueryError, parseLogQuery, type LogQueryNode } from './query-parser.js';
export { buildLogSearch, searchLogs, type FoundLogLine, type LogSearch } from './search.js';
export { parseTimeBound, parseTimeRange, type TimeRange } from './time-range.js';
