// A list of API keys: prefix (the public handle), name, scopes, expiry, last use, state. Never
// a secret: only its hash is kept.
import { dateTime } from "@/components/ui/format";
import { Cell, Row, Table } from "@/components/ui/table";
import type { ApiKeyView } from "@/lib/api/keys";
import { RevokeKeyButton } from "./key-forms";

export function KeysTable({
  keys,
  caption,
  any,
}: {
  keys: ApiKeyView[];
  caption: string;
  /** A super-admin's list (any customer's keys, or the platform tokens). */
  any?: boolean;
}) {
  if (keys.length === 0) return <p className="text-sm text-slate-600">No keys yet.</p>;
  return (
    <Table
      headers={["Key", "Name", "Scopes", "Expires", "Last used", "State", ""]}
      caption={caption}
    >
      {keys.map((k) => (
        <Row key={k.id}>
          <Cell>
            <code>{k.prefix}</code>
          </Cell>
          <Cell>{k.name}</Cell>
          <Cell>{k.scopes.join(", ")}</Cell>
          <Cell>{k.expiresAt ? `${dateTime.format(k.expiresAt)} UTC` : "never"}</Cell>
          <Cell>{k.lastUsedAt ? `${dateTime.format(k.lastUsedAt)} UTC` : "never"}</Cell>
          <Cell>{k.revokedAt ? "revoked" : k.live ? "live" : "expired"}</Cell>
          <Cell>{k.live && <RevokeKeyButton id={k.id} prefix={k.prefix} any={any} />}</Cell>
        </Row>
      ))}
    </Table>
  );
}
