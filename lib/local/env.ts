/**
 * Sets process environment variables and returns a function that puts the previous values back,
 * so a runtime stopped inside a longer-lived process (tests) leaves the environment as it was.
 */
export function applyEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    if (!previous.has(name)) previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
