// Evaluate and search (docs/search.md): the paper's Table 1 and hyperparameter search.
export { runEvaluate, EvaluateOptions, EvaluateResult, QueuedEvaluateResult } from './evaluate';
export { runSearch, SearchOptions, SearchResult, QueuedSearchResult } from './search';
export { QueueRunOptions, QueueScorerFactory } from './scoring';
export { report, ReportOptions } from './merge';
export { Summary, ResultLine } from './store';
export { Table, EvaluateLine } from './table';
