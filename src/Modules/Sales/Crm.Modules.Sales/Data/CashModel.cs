using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of contracts (quote to cash).</summary>
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
            contract.HasOne<Opportunity>().WithMany().HasForeignKey(c => c.OpportunityId).OnDelete(DeleteBehavior.Restrict);
            contract.Property(c => c.Version).IsRowVersion();

            // Lists newest first by owner and by customer; renewals due: ending before a date, per status.
            contract.HasIndex(c => new { c.OwnerId, c.CreatedAt, c.Id });
            contract.HasIndex(c => new { c.CustomerId, c.CreatedAt, c.Id });
            contract.HasIndex(c => new { c.Status, c.EndDate });
            contract.HasIndex(c => c.OpportunityId);
        });
    }
}
