// Types of @phc/format (the PHC string serializer), which ships none.
declare module '@phc/format' {
  export interface PhcObject {
    id: string;
    version?: number;
    params?: Record<string, string | number>;
    salt?: Buffer;
    hash?: Buffer;
  }
  export function serialize(opts: PhcObject): string;
  export function deserialize(phcstr: string): PhcObject;
  const phc: { serialize: typeof serialize; deserialize: typeof deserialize };
  export default phc;
}
