// An options object without its undefined entries, so that spreading it over defaults keeps the
// defaults where the caller gave nothing (`{...DEFAULTS, ...definedOnly(options)}`).
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
