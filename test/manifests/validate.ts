/**
 * Schema validation of rendered manifests: Kubernetes kinds with kubernetes-models,
 * prometheus-operator kinds with @kubernetes-models/prometheus-operator, Metacontroller's
 * CompositeController with our own schema (schemas/compositecontroller.schema.json).
 */
import fs from 'node:fs';
import { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Service, ServiceAccount } from 'kubernetes-models/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { createAjv, formatErrors } from './ajv.js';
import type { Manifest } from './kustomize.js';

type Validator = (object: Manifest) => string[];

/** Runs a kubernetes-models model's validate() and returns its complaints. */
function modelValidator(create: (data: never) => { validate(): void }): Validator {
  return (object) => {
    try {
      create(object as never).validate();
      return [];
    } catch (error) {
      const details = (error as { details?: Parameters<typeof formatErrors>[0] }).details;
      return details === undefined ? [(error as Error).message] : formatErrors(details);
    }
  };
}

/** Validates against a JSON schema file in test/manifests/schemas/. */
function schemaValidator(file: string): Validator {
  const schema: unknown = JSON.parse(fs.readFileSync(new URL(`./schemas/${file}`, import.meta.url), 'utf8'));
  const validate = createAjv().compile(schema as object);
  return (object) => (validate(object) ? [] : formatErrors(validate.errors));
}

const VALIDATORS: Record<string, Validator> = {
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': modelValidator((data) => new ValidatingAdmissionPolicy(data)),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': modelValidator((data) => new ValidatingAdmissionPolicyBinding(data)),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': modelValidator((data) => new CustomResourceDefinition(data)),
  'apps/v1/Deployment': modelValidator((data) => new Deployment(data)),
  'networking.k8s.io/v1/NetworkPolicy': modelValidator((data) => new NetworkPolicy(data)),
  'policy/v1/PodDisruptionBudget': modelValidator((data) => new PodDisruptionBudget(data)),
  'v1/Service': modelValidator((data) => new Service(data)),
  'v1/ServiceAccount': modelValidator((data) => new ServiceAccount(data)),
  'monitoring.coreos.com/v1/PrometheusRule': modelValidator((data) => new PrometheusRule(data)),
  'monitoring.coreos.com/v1/ServiceMonitor': modelValidator((data) => new ServiceMonitor(data)),
  'metacontroller.k8s.io/v1alpha1/CompositeController': schemaValidator('compositecontroller.schema.json'),
};

/** Schema violations of one object; throws for a kind no schema is registered for. */
export function validateManifest(object: Manifest): string[] {
  const validator = VALIDATORS[`${object.apiVersion}/${object.kind}`];
  if (validator === undefined) {
    throw new Error(`no schema for ${object.apiVersion} ${object.kind}: register one in test/manifests/validate.ts`);
  }
  return validator(object);
}
