// npm-packlist ships no types; lambda-pack calls it as src/builders/node/packlist.ts does.
declare module 'npm-packlist' {
  const packlist: (tree: unknown, options?: unknown) => Promise<string[]>;
  export default packlist;
}
