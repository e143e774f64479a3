/** A titled panel of a detail page; its title names the region for assistive technology. */
export function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="mb-4 text-base font-medium">{title}</h2>
      {children}
    </section>
  );
}
