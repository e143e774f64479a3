CREATE TABLE "control"."audit_daily" (
	"day" date NOT NULL,
	"chain" text NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "audit_daily_day_chain_pk" PRIMARY KEY("day","chain")
);
