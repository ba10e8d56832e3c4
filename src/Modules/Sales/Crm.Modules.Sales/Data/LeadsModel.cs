using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>EF mapping of leads, their follow-ups, territories and assignment rules.</summary>
internal static class LeadsModel
{
    public const string SearchTextIndex = "ix_leads_search_text_trgm";

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Lead>(lead =>
        {
            lead.ToTable("leads", t =>
            {
                t.HasCheckConstraint("ck_leads_score", "score BETWEEN 0 AND 100");
                t.HasCheckConstraint("ck_leads_estimated_value", "estimated_value >= 0");
            });
            lead.HasKey(l => l.Id);
            lead.Property(l => l.Source).HasMaxLength(50);
            lead.Property(l => l.CompanyName).HasMaxLength(200);
            lead.Property(l => l.PersonName).HasMaxLength(100);
            lead.Property(l => l.Title).HasMaxLength(100);
            lead.Property(l => l.Province).HasMaxLength(50);
            lead.Property(l => l.City).HasMaxLength(50);
            lead.Property(l => l.Industry).HasMaxLength(100);
            lead.Property(l => l.EstimatedValue).HasPrecision(18, 2);
            lead.Property(l => l.Currency).HasMaxLength(3);
            lead.Property(l => l.Status).HasConversion<string>().HasMaxLength(15);
            lead.Property(l => l.DisqualificationReason).HasMaxLength(500);
            lead.Property(l => l.Notes).HasMaxLength(4000);
            lead.Property(l => l.Version).IsRowVersion();
            lead.HasOne<Partner>().WithMany().HasForeignKey(l => l.PartnerId).OnDelete(DeleteBehavior.Restrict);

            // The list: newest first overall, per owner (my leads, and least-loaded counting) and per status.
            lead.HasIndex(l => new { l.CreatedAt, l.Id });
            lead.HasIndex(l => new { l.OwnerId, l.Status });
            lead.HasIndex(l => new { l.OwnerId, l.CreatedAt, l.Id });
            lead.HasIndex(l => new { l.Status, l.CreatedAt, l.Id });
            lead.HasIndex(l => l.PartnerId);
            // Import match keys: a lead's emails and phones, looked up with @> one key at a time.
            // Lead import probes these once per key of a chunk: no GIN pending list to rescan on every probe (ADR 0022).
            lead.HasIndex(l => l.Emails).HasMethod("gin").HasStorageParameter("fastupdate", false);
            lead.HasIndex(l => l.Phones).HasMethod("gin").HasStorageParameter("fastupdate", false);
            lead.HasIndex(l => l.SearchText, SearchTextIndex).HasDatabaseName(SearchTextIndex).HasMethod("gin").HasOperators("gin_trgm_ops");
        });

        modelBuilder.Entity<LeadFollowUp>(followUp =>
        {
            followUp.ToTable("lead_follow_ups");
            followUp.HasKey(f => f.Id);
            followUp.HasOne<Lead>().WithMany().HasForeignKey(f => f.LeadId).OnDelete(DeleteBehavior.Cascade);
            followUp.Property(f => f.Kind).HasConversion<string>().HasMaxLength(10);
            followUp.Property(f => f.Content).HasMaxLength(LeadFollowUp.MaxContentLength);
            followUp.HasIndex(f => new { f.LeadId, f.OccurredAt, f.Id });
        });

        modelBuilder.Entity<Territory>(territory =>
        {
            territory.ToTable("territories");
            territory.HasKey(t => t.Id);
            territory.Property(t => t.Name).HasMaxLength(100);
            territory.HasIndex(t => t.Name).IsUnique();
            territory.Property(t => t.Version).IsRowVersion();
        });

        modelBuilder.Entity<AssignmentRule>(rule =>
        {
            rule.ToTable("assignment_rules");
            rule.HasKey(r => r.Id);
            rule.Property(r => r.Name).HasMaxLength(100);
            rule.HasIndex(r => r.Position).IsUnique();
            rule.Property(r => r.Strategy).HasConversion<string>().HasMaxLength(15);
            rule.HasOne<Territory>().WithMany().HasForeignKey(r => r.TerritoryId).OnDelete(DeleteBehavior.Restrict);
            rule.HasIndex(r => r.TerritoryId);
            rule.Property(r => r.Version).IsRowVersion();
        });
    }
}
