using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

internal static class ExpenseReportsModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ExpenseReport>(report =>
        {
            report.ToTable("expense_reports", t => t.HasCheckConstraint("ck_expense_reports_total", "total >= 0"));
            report.HasKey(r => r.Id);
            report.Property(r => r.Title).HasMaxLength(200);
            report.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
            report.Property(r => r.Currency).HasMaxLength(3);
            report.Property(r => r.Total).HasPrecision(18, 2);
            report.Property(r => r.Version).IsRowVersion();
            report.HasMany(r => r.Lines).WithOne().HasForeignKey(l => l.ReportId).OnDelete(DeleteBehavior.Cascade);
            report.Navigation(r => r.Lines).AutoInclude();

            // Lists: an owner's reports and the approval queue (status), newest first.
            report.HasIndex(r => new { r.OwnerId, r.CreatedAt, r.Id });
            report.HasIndex(r => new { r.Status, r.CreatedAt, r.Id });
        });

        modelBuilder.Entity<ExpenseLine>(line =>
        {
            line.ToTable("expense_lines", t => t.HasCheckConstraint("ck_expense_lines_amount", "amount > 0"));
            line.HasKey(l => l.Id);
            line.Property(l => l.Category).HasMaxLength(50);
            line.Property(l => l.Amount).HasPrecision(18, 2);
            line.Property(l => l.Description).HasMaxLength(1000);
            line.HasIndex(l => l.ReportId);
            line.HasOne<Activity>().WithMany().HasForeignKey(l => l.ActivityId).OnDelete(DeleteBehavior.Restrict);
            line.HasIndex(l => l.ActivityId);
            line.HasOne<Opportunity>().WithMany().HasForeignKey(l => l.OpportunityId).OnDelete(DeleteBehavior.Restrict);
            line.HasIndex(l => l.OpportunityId);
        });

        modelBuilder.Entity<ExpenseDecision>(decision =>
        {
            decision.ToTable("expense_decisions");
            decision.HasKey(d => d.Id);
            decision.HasOne<ExpenseReport>().WithMany().HasForeignKey(d => d.ReportId).OnDelete(DeleteBehavior.Cascade);
            decision.Property(d => d.Action).HasConversion<string>().HasMaxLength(10);
            decision.Property(d => d.FromStatus).HasConversion<string>().HasMaxLength(10);
            decision.Property(d => d.ToStatus).HasConversion<string>().HasMaxLength(10);
            decision.Property(d => d.Comment).HasMaxLength(1000);
            decision.HasIndex(d => new { d.ReportId, d.DecidedAt });
        });
    }
}
