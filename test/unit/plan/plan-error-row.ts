/** A plan error as the planner reports it (no source position: line 1, column 1). */
export const planErrorRow = (code: string, path: string, message: string) => ({
  code,
  severity: 'error',
  path,
  message,
  line: 1,
  column: 1,
});
