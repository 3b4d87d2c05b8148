/**
 * `and`/`or` chains (RFC 7644 §3.4.2.2 logExp). The parser builds them left-deep, so a chain
 * of n terms is n-1 nodes deep on its left spine; walking that spine in a loop keeps printers,
 * resolvers and evaluators from recursing once per term.
 */

interface ChainNode<T> {
  readonly kind: 'and' | 'or';
  readonly left: T;
  readonly right: T;
}

/**
 * The operands of the chain rooted at `node`, left to right: the leftmost operand (the first
 * node on the left spine that is not of the same kind) followed by the right operands.
 * A right operand of the same kind (`a and (b and c)`) stays one operand.
 */
export function chainOperands<T extends { readonly kind: string }>(node: ChainNode<T>): T[] {
  const rights: T[] = [];
  let current: ChainNode<T> | T = node;
  while (current.kind === node.kind) {
    const link = current as ChainNode<T>;
    rights.push(link.right);
    current = link.left;
  }
  rights.push(current as T);
  return rights.reverse();
}

/** Rebuilds a left-deep chain from its operands (the inverse of `chainOperands`). */
export function buildChain<T>(kind: 'and' | 'or', operands: readonly T[], make: (left: T, right: T) => T): T {
  if (operands.length === 0) throw new TypeError(`an '${kind}' chain needs at least one operand`);
  let acc = operands[0] as T;
  for (let i = 1; i < operands.length; i++) acc = make(acc, operands[i] as T);
  return acc;
}
