using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of quotas, and the indexes the funnel, forecast and performance reports read.</summary>
internal static class FunnelModel
{
    public const string OpenByExpectedCloseIndex = "ix_opportunities_open_expected_close";
    public const string WonByClosedAtIndex = "ix_opportunities_won_closed_at";
    public const string WonByCustomerIndex = "ix_opportunities_won_customer";

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SalesQuota>(quota =>
        {
            quota.ToTable("sales_quotas", t =>
            {
                t.HasCheckConstraint("ck_sales_quotas_amount_target", "amount_target >= 0");
                t.HasCheckConstraint("ck_sales_quotas_new_customers_target", "new_customers_target >= 0");
                t.HasCheckConstraint("ck_sales_quotas_period", "period_end > period_start");
            });
            quota.HasKey(q => q.Id);
            quota.Property(q => q.SubjectKind).HasConversion<string>().HasMaxLength(10);
            quota.Property(q => q.PeriodKind).HasConversion<string>().HasMaxLength(10);
            quota.Property(q => q.Period).HasMaxLength(7);
            quota.Property(q => q.AmountTarget).HasPrecision(18, 2);
            quota.Property(q => q.Currency).HasMaxLength(3);
            quota.Property(q => q.Version).IsRowVersion();

            // One quota per subject and period; the same index finds a subject's quotas for the reports.
            quota.HasIndex(q => new { q.SubjectKind, q.SubjectId, q.Period }).IsUnique();

            // The list in calendar order, and the reports' "quotas of these periods".
            quota.HasIndex(q => new { q.PeriodStart, q.Id });
        });

        // The skeleton maps opportunities; these indexes serve only the reports of this slice. Partial indexes keep
        // closed deals out of the open-pipeline one and open deals out of the won ones.
        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            opportunity.HasIndex(o => new { o.ExpectedCloseDate, o.OwnerId }, OpenByExpectedCloseIndex)
                .HasDatabaseName(OpenByExpectedCloseIndex).HasFilter("status = 'Open'");
            opportunity.HasIndex(o => new { o.ClosedAt, o.OwnerId }, WonByClosedAtIndex)
                .HasDatabaseName(WonByClosedAtIndex).HasFilter("status = 'Won'");
            opportunity.HasIndex(o => new { o.CustomerId, o.ClosedAt }, WonByCustomerIndex)
                .HasDatabaseName(WonByCustomerIndex).HasFilter("status = 'Won'");
        });
    }
}
