using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

/// <summary>
/// EF mapping of what the opportunities slice added to the skeleton mapping in <see cref="SalesDbContext"/>: the
/// descriptive columns and the name search index.
/// </summary>
internal static class OpportunitiesModel
{
    public const string NameTrigramIndex = "ix_opportunities_name_trgm";

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            opportunity.Property(o => o.Source).HasMaxLength(Opportunity.MaxSourceLength);
            opportunity.Property(o => o.Description).HasMaxLength(Opportunity.MaxDescriptionLength);
            opportunity.Property(o => o.ExternalId).HasMaxLength(Opportunity.MaxExternalIdLength);

            // Unique when present (the import and ERP match on it); also serves the list's externalId filter.
            opportunity.HasIndex(o => o.ExternalId).IsUnique().HasFilter("external_id IS NOT NULL");
            opportunity.HasOne<Competitor>().WithMany().HasForeignKey(o => o.LostToCompetitorId).OnDelete(DeleteBehavior.Restrict);
            opportunity.HasIndex(o => o.LostToCompetitorId).HasFilter("lost_to_competitor_id IS NOT NULL");

            // q on the list is ILIKE '%q%' on the name: a trigram GIN index serves it for 3 or more characters.
            opportunity.HasIndex(o => o.Name, NameTrigramIndex).HasDatabaseName(NameTrigramIndex).HasMethod("gin").HasOperators("gin_trgm_ops");
        });

        modelBuilder.Entity<Competitor>(competitor =>
        {
            competitor.ToTable("competitors");
            competitor.HasKey(c => c.Id);
            competitor.Property(c => c.Name).HasMaxLength(Competitor.MaxNameLength);
            competitor.HasIndex(c => c.Name).IsUnique();
            competitor.Property(c => c.Website).HasMaxLength(Competitor.MaxWebsiteLength);
            competitor.Property(c => c.Strengths).HasMaxLength(Competitor.MaxTextLength);
            competitor.Property(c => c.Weaknesses).HasMaxLength(Competitor.MaxTextLength);
            competitor.Property(c => c.Notes).HasMaxLength(Competitor.MaxNotesLength);
            competitor.Property(c => c.Version).IsRowVersion();
        });

        modelBuilder.Entity<OpportunityLine>(line =>
        {
            line.ToTable("opportunity_lines", t =>
            {
                t.HasCheckConstraint("ck_opportunity_lines_quantity", "quantity > 0");
                t.HasCheckConstraint("ck_opportunity_lines_unit_price", "unit_price >= 0");
                t.HasCheckConstraint("ck_opportunity_lines_discount", "discount_percent BETWEEN 0 AND 100");
            });
            line.HasKey(l => l.Id);
            line.HasOne<Opportunity>().WithMany().HasForeignKey(l => l.OpportunityId).OnDelete(DeleteBehavior.Cascade);
            line.HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId).OnDelete(DeleteBehavior.Restrict);
            line.Property(l => l.Quantity).HasPrecision(18, 4);
            line.Property(l => l.UnitPrice).HasPrecision(18, 2);
            line.Property(l => l.DiscountPercent).HasPrecision(5, 2);
            line.Property(l => l.LineAmount).HasPrecision(18, 2);
            line.HasIndex(l => new { l.OpportunityId, l.CreatedAt });
            line.HasIndex(l => l.ProductId);
        });

        modelBuilder.Entity<OpportunityCompetitor>(link =>
        {
            link.ToTable("opportunity_competitors");
            link.HasKey(l => new { l.OpportunityId, l.CompetitorId });
            link.HasOne<Opportunity>().WithMany().HasForeignKey(l => l.OpportunityId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne<Competitor>().WithMany().HasForeignKey(l => l.CompetitorId).OnDelete(DeleteBehavior.Restrict);

            // The stats start from the competitor.
            link.HasIndex(l => l.CompetitorId);
        });
    }
}
