import { dumpYaml } from './emit';
import { LINE_LENGTH_EXEMPTION, LINE_LENGTH_RANGE, LINE_LIMIT } from '../io/header';

/**
 * YAML with one value per line, never folded, keys sorted as cdk8s sorts them. kubectl and Argo CD
 * read manifests as YAML 1.1, so a string such as `yes`, `on` or `1_000` is quoted, or it would
 * arrive as a boolean or a number; js-yaml quotes YAML 1.1's plain scalars. The text is js-yaml's
 * (emit.ts writes the block layout of plain data itself, and asks js-yaml for each scalar's).
 */
export function yamlLines(doc: unknown): string[] {
  return dumpYaml(doc).split('\n');
}

/**
 * The lines as yamllint passes them: a line over its limit (a long image digest or regular
 * expression cannot be broken) is preceded by the comment that exempts it. In a block scalar (a
 * config file's content) a comment would be content, so a block with a long line is wrapped in
 * yamllint's disable and enable comments, on lines of the key's own indentation, outside the block.
 */
export function lintable(lines: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const indent = line.length - line.trimStart().length;
    if (/(:|^ *-) [|>][-+0-9]*$/.test(line)) {
      // The block's lines: every following line that is empty or indented deeper than its key.
      let end = i + 1;
      while (end < lines.length && (lines[end] === '' || lines[end].length - lines[end].trimStart().length > indent)) end++;
      while (end > i + 1 && lines[end - 1] === '') end--;
      const block = lines.slice(i, end);
      if (block.some((each) => each.length > LINE_LIMIT)) {
        const pad = ' '.repeat(indent);
        out.push(`${pad}${LINE_LENGTH_RANGE[0]}`, ...block, `${pad}${LINE_LENGTH_RANGE[1]}`);
      } else {
        out.push(...block);
      }
      i = end - 1;
    } else {
      out.push(line.length > LINE_LIMIT ? `${' '.repeat(indent)}${LINE_LENGTH_EXEMPTION}\n${line}` : line);
    }
  }
  return out.join('\n');
}

// cdk8s writes these first, then the rest of an object's keys in order.
const HEAD = ['apiVersion', 'kind', 'metadata'];

/**
 * A Kubernetes object's lines, its keys in the order cdk8s writes them: apiVersion, kind and metadata,
 * then the rest sorted. Mappings at the top level follow one another, so the two parts' lines are the
 * whole object's.
 */
export function manifestLines(doc: Record<string, unknown>): string[] {
  const head = Object.entries(doc).filter(([key]) => HEAD.includes(key));
  const rest = Object.entries(doc).filter(([key]) => !HEAD.includes(key));
  if (!rest.length) return yamlLines(doc);
  return [...yamlLines(Object.fromEntries(head)).slice(0, -1), ...yamlLines(Object.fromEntries(rest))];
}
