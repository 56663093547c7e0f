import { isMap, isSeq, parseDocument } from 'yaml';
import { SpecError } from './spec-error';

/**
 * Ends a promoted release in the spec text: the canary's image becomes the stable's, and the current
 * stage goes back to the first one, so the next release starts from a baseline on the new version.
 * Comments and layout of the spec are kept.
 *
 *   stable.image nginx:1.22, canary.image nginx:1.23, stage promote
 *   -> stable.image nginx:1.23, canary.image nginx:1.23, no stage key (the first stage)
 */
export function finishRelease(text: string, appName: string, source: string): string {
  const doc = parseDocument(text);
  const apps = doc.get('apps');
  const index = isSeq(apps) ? apps.items.findIndex((app) => isMap(app) && app.get('name') === appName) : -1;
  if (index === -1) {
    throw new SpecError([{ path: ['apps'], message: `has no app named ${JSON.stringify(appName)}` }], source);
  }
  doc.setIn(['apps', index, 'stable', 'image'], doc.getIn(['apps', index, 'canary', 'image']));
  doc.deleteIn(['apps', index, 'stage']);
  return doc.toString();
}
