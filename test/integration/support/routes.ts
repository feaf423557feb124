import type { FunctionRegistry, LocalFunction } from '../../../lib/local/functions';
import { readRoutes } from '../../../lib/local/gateway';
import { type CfnTemplate, TemplateResolver } from '../../../lib/local/template';

/** One method of the REST API as the synthesized template declares it. */
export interface TemplateRoute {
  /** `GET /submissions/{id}`: the key the tests' expectation tables use. */
  readonly name: string;
  readonly httpMethod: string;
  readonly resourcePath: string;
  readonly authorization: string;
  readonly requiredQuery: readonly string[];
}

/**
 * Every API method of the template, read by the local gateway's own reader (so the tests see
 * exactly the routes `npm start` serves, including routes added after these tests were
 * written). Integrations are not invoked here, so functions are not loaded.
 */
export function templateRoutes(template: CfnTemplate, region: string): TemplateRoute[] {
  const resolver = new TemplateResolver(template, { region });
  const placeholder = (arn: string): LocalFunction => ({
    logicalId: arn,
    name: arn,
    arn,
    entry: '',
    timeoutSeconds: 3,
    invoke: () => Promise.reject(new Error('route listing only')),
  });
  const registry: FunctionRegistry = {
    functions: [],
    find: placeholder,
    get: placeholder,
  };
  return readRoutes(resolver, registry)
    .flatMap((route) =>
      [...route.methods.values()].map((method) => ({
        name: `${method.httpMethod} ${route.resourcePath}`,
        httpMethod: method.httpMethod,
        resourcePath: route.resourcePath,
        authorization: method.authorization,
        requiredQuery: method.requiredQuery,
      })),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
}
