/** Alerts (issue 18): rules on metrics and events, their state, and the channels they notify. */
export { describeChannel, parseChannel, type Channel } from './channels.js';
export { AlertRuleError, formatAlertCondition, parseAlertCondition, type AlertCondition } from './rule-parser.js';
export { AlertRunner } from './runner.js';
export { storeReadings, type AlertReadings } from './readings.js';
export { addAlertRule, alertHistory, listAlertRules, removeAlertRule, type AlertHistoryEntry, type AlertRule } from './store.js';
