using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of contracts, payment plans, receipts and their allocations (quote to cash).</summary>
internal static class CashModel
{
    public const string ContractNumberSequence = "contract_number_seq";

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.HasSequence<long>(ContractNumberSequence).StartsAt(10000001);
        modelBuilder.Entity<Contract>(contract =>
        {
            contract.ToTable("contracts", t =>
            {
                t.HasCheckConstraint("ck_contracts_amount", "amount >= 0");
                t.HasCheckConstraint("ck_contracts_dates", "end_date >= start_date");
            });
            contract.HasKey(c => c.Id);
            contract.Property(c => c.Number).HasMaxLength(20)
                .HasDefaultValueSql($"'HT' || nextval('{SalesDbContext.SchemaName}.{ContractNumberSequence}')");
            contract.HasIndex(c => c.Number).IsUnique();
            contract.Property(c => c.Title).HasMaxLength(Contract.MaxTitleLength);
            contract.Property(c => c.Amount).HasPrecision(18, 2);
            contract.Property(c => c.Currency).HasMaxLength(3);
            contract.Property(c => c.Status).HasConversion<string>().HasMaxLength(12);
            contract.Property(c => c.ProductCategory).HasMaxLength(Contract.MaxProductCategoryLength);
            contract.Property(c => c.TerminationReason).HasMaxLength(Contract.MaxTerminationReasonLength);
            contract.Ignore(c => c.CanBeTerminated);
            contract.HasOne<Opportunity>().WithMany().HasForeignKey(c => c.OpportunityId).OnDelete(DeleteBehavior.Restrict);
            contract.Property(c => c.Version).IsRowVersion();

            // Lists newest first by owner and by customer; renewals due: ending before a date, per status.
            contract.HasIndex(c => new { c.OwnerId, c.CreatedAt, c.Id });
            contract.HasIndex(c => new { c.CustomerId, c.CreatedAt, c.Id });
            contract.HasIndex(c => new { c.Status, c.EndDate });
            contract.HasIndex(c => c.OpportunityId);
            contract.Property(c => c.ReceivedAmount).HasPrecision(18, 2);
            contract.Property(c => c.CnyRate).HasPrecision(18, 6);
            contract.Property(c => c.ExchangeDifference).HasPrecision(18, 2);
            contract.Ignore(c => c.Outstanding);
            contract.Ignore(c => c.AcceptsPayments);
            contract.Ignore(c => c.CanBeRenewed);
            contract.HasOne<Contract>().WithMany().HasForeignKey(c => c.RenewalOfId).OnDelete(DeleteBehavior.Restrict);

            // At most one successor per contract: a second renewal is a conflict, also under concurrency.
            contract.HasIndex(c => c.RenewalOfId).IsUnique().HasFilter("renewal_of_id IS NOT NULL");

            // ERP files name contracts by their external id: unique when present, and the import's lookup.
            contract.Property(c => c.ExternalId).HasMaxLength(Contract.MaxExternalIdLength);
            contract.HasIndex(c => c.ExternalId).IsUnique().HasFilter("external_id IS NOT NULL");
        });

        modelBuilder.Entity<PaymentInstalment>(instalment =>
        {
            instalment.ToTable("payment_instalments", t =>
            {
                t.HasCheckConstraint("ck_payment_instalments_amount", "amount > 0");
                t.HasCheckConstraint("ck_payment_instalments_paid", "paid_amount >= 0 AND paid_amount <= amount");
            });
            instalment.HasKey(i => i.Id);
            instalment.HasOne<Contract>().WithMany().HasForeignKey(i => i.ContractId).OnDelete(DeleteBehavior.Cascade);
            instalment.HasIndex(i => new { i.ContractId, i.Sequence }).IsUnique();
            instalment.Property(i => i.Amount).HasPrecision(18, 2);
            instalment.Property(i => i.PaidAmount).HasPrecision(18, 2);
            instalment.Property(i => i.Version).IsRowVersion();
            instalment.Ignore(i => i.Unpaid);

            // The overdue list reads only instalments still owing, by due date.
            instalment.HasIndex(i => new { i.DueDate, i.Id }).HasFilter("paid_amount < amount");
        });

        modelBuilder.Entity<PaymentReceipt>(receipt =>
        {
            receipt.ToTable("payment_receipts", t => t.HasCheckConstraint("ck_payment_receipts_amount", "amount > 0"));
            receipt.HasKey(r => r.Id);
            receipt.HasOne<Contract>().WithMany().HasForeignKey(r => r.ContractId).OnDelete(DeleteBehavior.Restrict);
            receipt.HasOne<PaymentInstalment>().WithMany().HasForeignKey(r => r.InstalmentId).OnDelete(DeleteBehavior.Restrict);
            receipt.Property(r => r.Amount).HasPrecision(18, 2);
            receipt.Property(r => r.Currency).HasMaxLength(3);
            receipt.Property(r => r.CnyRate).HasPrecision(18, 6);
            receipt.Ignore(r => r.BalanceAmount);
            receipt.Property(r => r.Method).HasConversion<string>().HasMaxLength(20);
            receipt.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
            receipt.Property(r => r.Reference).HasMaxLength(PaymentReceipt.MaxReferenceLength);
            receipt.Property(r => r.ReversalReason).HasMaxLength(PaymentReceipt.MaxReasonLength);
            receipt.Property(r => r.Version).IsRowVersion();

            // Receipts of a contract; and per owner by received date for commission statements.
            receipt.HasIndex(r => new { r.ContractId, r.ReceivedDate });
            receipt.HasIndex(r => new { r.OwnerId, r.ReceivedDate });
            receipt.HasIndex(r => r.InstalmentId);

            // Commission statements of all reps for a month: receipts by received day, reversals by reversal day.
            receipt.HasIndex(r => r.ReceivedDate);
            receipt.HasIndex(r => new { r.ReversedDate, r.OwnerId }).HasFilter("reversed_date IS NOT NULL");

            // The import matches receipts on their ERP id (unique when present); the export filters by customer.
            receipt.Property(r => r.ExternalId).HasMaxLength(PaymentReceipt.MaxExternalIdLength);
            receipt.HasIndex(r => r.ExternalId).IsUnique().HasFilter("external_id IS NOT NULL");
            receipt.HasIndex(r => new { r.CustomerId, r.ReceivedDate });
        });

        modelBuilder.Entity<PaymentAllocation>(allocation =>
        {
            allocation.ToTable("payment_allocations", t => t.HasCheckConstraint("ck_payment_allocations_amount", "amount > 0"));
            allocation.HasKey(a => new { a.ReceiptId, a.InstalmentId });
            allocation.HasOne<PaymentReceipt>().WithMany().HasForeignKey(a => a.ReceiptId).OnDelete(DeleteBehavior.Cascade);
            allocation.HasOne<PaymentInstalment>().WithMany().HasForeignKey(a => a.InstalmentId).OnDelete(DeleteBehavior.Restrict);
            allocation.Property(a => a.Amount).HasPrecision(18, 2);
            allocation.HasIndex(a => a.InstalmentId);
        });

        modelBuilder.Entity<CommissionRule>(rule =>
        {
            rule.ToTable("commission_rules", t =>
            {
                t.HasCheckConstraint("ck_commission_rules_rate", "rate_percent >= 0 AND rate_percent <= 100");
                t.HasCheckConstraint("ck_commission_rules_validity", "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from");
            });
            rule.HasKey(r => r.Id);
            rule.Property(r => r.Name).HasMaxLength(CommissionRule.MaxNameLength);
            rule.Property(r => r.ProductCategory).HasMaxLength(CommissionRule.MaxCategoryLength);
            rule.Property(r => r.RatePercent).HasPrecision(5, 2);
            rule.Property(r => r.Version).IsRowVersion();
            rule.Ignore(r => r.Level);

            // One rule per (rep, category, start), "any" included: an exact duplicate is a conflict; the statement's
            // per-receipt lookup reads this index by rep and category.
            rule.HasIndex(r => new { r.RepId, r.ProductCategory, r.ValidFrom }).IsUnique().AreNullsDistinct(false);
        });

        modelBuilder.Entity<ExchangeRate>(rate =>
        {
            rate.ToTable("exchange_rates", t =>
            {
                t.HasCheckConstraint("ck_exchange_rates_rate", "rate > 0");
                t.HasCheckConstraint("ck_exchange_rates_currency", $"currency ~ '^[A-Z]{{3}}$' AND currency <> '{ExchangeRate.BaseCurrency}'");
            });
            rate.HasKey(r => r.Id);
            rate.Property(r => r.Currency).HasMaxLength(3);
            rate.Property(r => r.Rate).HasPrecision(18, 6);
            rate.Property(r => r.Source).HasMaxLength(ExchangeRate.MaxSourceLength);
            rate.Property(r => r.Version).IsRowVersion();

            // One rate per currency and day; the effective-rate seek (latest on or before a day) and the currency list read it.
            rate.HasIndex(r => new { r.Currency, r.RateDate }).IsUnique();

            // The list across currencies, newest day first.
            rate.HasIndex(r => new { r.RateDate, r.Id });
        });

        modelBuilder.Entity<CommissionStatement>(statement =>
        {
            statement.ToTable("commission_statements");
            statement.HasKey(s => s.Id);
            statement.Property(s => s.Status).HasConversion<string>().HasMaxLength(10);
            statement.Property(s => s.ReceivedAmount).HasPrecision(18, 2);
            statement.Property(s => s.ReversedAmount).HasPrecision(18, 2);
            statement.Property(s => s.NetAmount).HasPrecision(18, 2);
            statement.Property(s => s.CommissionTotal).HasPrecision(18, 2);
            statement.Property(s => s.Version).IsRowVersion();

            // One frozen statement per rep and month (a second freeze is a 409, also under concurrency); the list's
            // keyset order is by month, newest first, and its filters narrow by month, rep and status.
            statement.HasIndex(s => new { s.UserId, s.PeriodStart }).IsUnique();
            statement.HasIndex(s => new { s.PeriodStart, s.Id });
            statement.HasIndex(s => new { s.Status, s.PeriodStart, s.Id });
        });

        modelBuilder.Entity<CommissionStatementLine>(line =>
        {
            line.ToTable("commission_statement_lines");
            line.HasKey(l => new { l.StatementId, l.ReceiptId, l.Kind });
            line.HasOne<CommissionStatement>().WithMany().HasForeignKey(l => l.StatementId).OnDelete(DeleteBehavior.Cascade);
            line.Property(l => l.Kind).HasMaxLength(10);
            line.Property(l => l.ContractNumber).HasMaxLength(20);
            line.Property(l => l.ProductCategory).HasMaxLength(Contract.MaxProductCategoryLength);
            line.Property(l => l.Amount).HasPrecision(18, 2);
            line.Property(l => l.Currency).HasMaxLength(3);
            line.Property(l => l.CnyRate).HasPrecision(18, 6);
            line.Property(l => l.CnyAmount).HasPrecision(18, 2);
            line.Property(l => l.RatePercent).HasPrecision(5, 2);
            line.Property(l => l.Commission).HasPrecision(18, 2);
        });
    }
}
