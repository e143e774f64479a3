export function Header() {
  return (
    <header className="flex h-14 items-center justify-between border-b border-slate-200 bg-white px-8">
      <span className="text-sm text-slate-500">Platform console</span>
    </header>
  );
}
