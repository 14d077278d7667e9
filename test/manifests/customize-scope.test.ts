import assert from 'node:assert/strict';
import { GROUP_LABEL, customize } from '../../src/core/group.js';
import { relatedNamespace } from './related-scope.js';
import { findOne, renderVariant } from './variants.js';

describe('customize hook scope (schedule groups)', () => {
  describe('Metacontroller reads related objects', () => {
    const table: Array<[description: string, rule: object, hookVersion: string, expected: string]> = [
      ['v1, no namespace: the parent\'s', {}, 'v1', 'db'],
      ['v2, no namespace: every namespace', {}, 'v2', '*'],
      ['v2, a namespace: that one', { namespace: 'db' }, 'v2', 'db'],
      ['v1, a namespaceSelector: every namespace it selects', { namespaceSelector: {} }, 'v1', '*'],
    ];
    for (const [description, rule, hookVersion, expected] of table) {
      it(description, () => {
        assert.equal(relatedNamespace(rule, { hookVersion, parentNamespace: 'db' }), expected);
      });
    }
  });

  it('the shipped CompositeController gets a group\'s schedules and Backups from the parent\'s namespace only, as TiDB Operator groups them', () => {
    const controller = findOne(renderVariant('base'), 'CompositeController') as any;
    const hookVersion: string = controller.spec.hooks.customize.version ?? 'v1';
    const parent = { apiVersion: 'pingcap.com/v1alpha1', kind: 'BackupSchedule', metadata: { name: 'a', namespace: 'db', labels: { [GROUP_LABEL]: 'g' } }, spec: {} };
    const rules = customize(parent).relatedResources;
    assert.ok(rules.length > 0, 'a grouped schedule asks for related objects');
    for (const rule of rules) {
      assert.equal(relatedNamespace(rule, { hookVersion, parentNamespace: 'db' }), 'db', `${rule.resource} under customize ${hookVersion}`);
    }
  });
});
