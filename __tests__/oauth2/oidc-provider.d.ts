// The few parts of oidc-provider (which ships no types) that the integration tests use.
declare module 'oidc-provider' {
  type Request = import('node:http').IncomingMessage;
  type Response = import('node:http').ServerResponse;

  export interface OidcContext {
    oidc?: { params?: Record<string, unknown> };
  }

  export interface InteractionDetails {
    uid: string;
    params: Record<string, unknown>;
    prompt: { name: string; details: Record<string, unknown> };
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: Request, res: Response) => void;
    interactionDetails(req: Request, res: Response): Promise<InteractionDetails>;
    interactionFinished(
      req: Request,
      res: Response,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(
      event: string,
      listener: (ctx: OidcContext, error?: Error & { error?: string }) => void,
    ): this;
    Grant: new (properties: { accountId: string; clientId: string }) => Grant;
  }
}
