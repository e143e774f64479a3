import Link from "next/link";
import { openApiDocument } from "@/lib/api/openapi";
import { PROBLEM_TYPES } from "@/lib/api/problem";

export const dynamic = "force-dynamic";
export const metadata = { title: "API reference" };

type Operation = {
  summary?: string;
  description?: string;
  parameters?: {
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: unknown;
  }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string }>;
};

/** The platform API's reference, rendered from its OpenAPI document (public: it holds no data). */
export default function ApiDocsPage() {
  const doc = openApiDocument();
  return (
    <main id="content" className="mx-auto max-w-4xl space-y-8 px-6 py-10">
      <header>
        <h1 className="text-2xl font-semibold">{doc.info.title}</h1>
        <p className="mt-2 text-sm text-slate-700">
          Version {doc.info.version}. Send an API key as <code>Authorization: Bearer tnt_…</code>{" "}
          (customer admins create them on their console&apos;s API keys page); a signed-in console
          session works too. Each plan limits calls a minute (<code>RateLimit-*</code> headers,{" "}
          <code>429</code> with <code>Retry-After</code> past it) and a month. The machine-readable
          document:{" "}
          <Link href="/api/v1/openapi.json" className="text-sky-700 underline">
            /api/v1/openapi.json
          </Link>
          .
        </p>
      </header>
      {Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
        Object.entries(item as Record<string, Operation>).map(([method, op]) => (
          <section
            key={`${method} ${path}`}
            aria-label={`${method.toUpperCase()} ${path}`}
            className="rounded-lg border border-slate-200 p-5"
          >
            <h2 className="font-mono text-base font-semibold">
              {method.toUpperCase()} {path}
            </h2>
            <p className="mt-1 text-sm font-medium">{op.summary}</p>
            <p className="mt-1 text-sm text-slate-700">{op.description}</p>
            {op.parameters && op.parameters.length > 0 && (
              <ul className="mt-3 list-disc pl-5 text-sm" aria-label="Parameters">
                {op.parameters.map((p) => (
                  <li key={`${p.in}-${p.name}`}>
                    <code>{p.name}</code> ({p.in}
                    {p.required ? ", required" : ""}){p.description ? `: ${p.description}` : ""}
                  </li>
                ))}
              </ul>
            )}
            {op.requestBody && (
              <details className="mt-3 text-sm">
                <summary className="cursor-pointer">Body</summary>
                <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs">
                  {JSON.stringify(op.requestBody.content["application/json"]?.schema, null, 2)}
                </pre>
              </details>
            )}
            <ul className="mt-3 text-sm" aria-label="Responses">
              {Object.entries(op.responses).map(([status, r]) => (
                <li key={status}>
                  <code>{status}</code> {r.description}
                </li>
              ))}
            </ul>
          </section>
        )),
      )}
      <section aria-label="Problems" className="space-y-2">
        <h2 className="text-lg font-semibold">Problems</h2>
        <p className="text-sm text-slate-700">
          Every error is <code>application/problem+json</code> (RFC 9457): <code>type</code>,{" "}
          <code>title</code>, <code>status</code>, and a <code>detail</code> sentence; a bad request
          adds <code>errors</code>, one per field.
        </p>
        <dl className="text-sm">
          {Object.entries(PROBLEM_TYPES).map(([type, title]) => (
            <div key={type} id={`problem-${type}`} className="flex gap-3">
              <dt>
                <code>/api-docs#problem-{type}</code>
              </dt>
              <dd>{title}</dd>
            </div>
          ))}
        </dl>
      </section>
    </main>
  );
}
