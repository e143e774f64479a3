import Link from "next/link";
import { NewKeyForm } from "@/components/api/key-forms";
import { KeysTable } from "@/components/api/keys-table";
import { PageHeader } from "@/components/ui/page-header";
import { Section } from "@/components/ui/section";
import { listKeys } from "@/lib/api/keys";
import { tenantPage } from "@/lib/auth/pages";

export const dynamic = "force-dynamic";
export const metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const { ctx, data: keys } = await tenantPage(
    { permission: "api-keys.manage", action: "api-keys.list" },
    (tx, { customer }) => listKeys(tx, customer.id),
  );
  return (
    <>
      <PageHeader
        title="API keys"
        description={`Keys for ${ctx.customer.name}'s systems to call the platform API as ${ctx.customer.name}, within their scopes. See the API reference.`}
      />
      <p className="-mt-4 mb-6 text-sm">
        <Link href="/api-docs" className="text-sky-700 underline">
          API reference
        </Link>
      </p>
      <div className="space-y-6">
        <Section title="Keys">
          <KeysTable keys={keys} caption={`API keys of ${ctx.customer.name}`} />
        </Section>
        <Section title="New key">
          <NewKeyForm />
        </Section>
      </div>
    </>
  );
}
