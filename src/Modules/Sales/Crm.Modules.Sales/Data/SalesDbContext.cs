using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Modules.Sales.Data;

internal sealed class SalesDbContext(DbContextOptions<SalesDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "sales";

    public DbSet<Pipeline> Pipelines => Set<Pipeline>();

    public DbSet<PipelineStage> PipelineStages => Set<PipelineStage>();

    public DbSet<Opportunity> Opportunities => Set<Opportunity>();

    public DbSet<OpportunityStageChange> OpportunityStageChanges => Set<OpportunityStageChange>();

    public DbSet<Competitor> Competitors => Set<Competitor>();

    public DbSet<OpportunityCompetitor> OpportunityCompetitors => Set<OpportunityCompetitor>();

    public DbSet<OpportunityLine> OpportunityLines => Set<OpportunityLine>();

    public DbSet<Product> Products => Set<Product>();

    public DbSet<Partner> Partners => Set<Partner>();

    public DbSet<Activity> Activities => Set<Activity>();

    public DbSet<ExpenseReport> ExpenseReports => Set<ExpenseReport>();

    public DbSet<ExpenseDecision> ExpenseDecisions => Set<ExpenseDecision>();

    public DbSet<Lead> Leads => Set<Lead>();

    public DbSet<LeadFollowUp> LeadFollowUps => Set<LeadFollowUp>();

    public DbSet<Territory> Territories => Set<Territory>();

    public DbSet<AssignmentRule> AssignmentRules => Set<AssignmentRule>();

    public DbSet<PriceBook> PriceBooks => Set<PriceBook>();

    public DbSet<PriceBookEntry> PriceBookEntries => Set<PriceBookEntry>();

    public DbSet<Quote> Quotes => Set<Quote>();

    public DbSet<QuoteLine> QuoteLines => Set<QuoteLine>();

    public DbSet<QuoteApproval> QuoteApprovals => Set<QuoteApproval>();

    public DbSet<QuoteSettings> QuoteSettings => Set<QuoteSettings>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<OrderLine> OrderLines => Set<OrderLine>();

    public DbSet<Shipment> Shipments => Set<Shipment>();

    public DbSet<Contract> Contracts => Set<Contract>();

    public DbSet<PaymentInstalment> PaymentInstalments => Set<PaymentInstalment>();

    public DbSet<PaymentReceipt> PaymentReceipts => Set<PaymentReceipt>();

    public DbSet<PaymentAllocation> PaymentAllocations => Set<PaymentAllocation>();

    public DbSet<CommissionRule> CommissionRules => Set<CommissionRule>();

    public DbSet<ExchangeRate> ExchangeRates => Set<ExchangeRate>();

    public DbSet<CommissionStatement> CommissionStatements => Set<CommissionStatement>();

    public DbSet<CommissionStatementLine> CommissionStatementLines => Set<CommissionStatementLine>();

    public DbSet<SalesQuota> SalesQuotas => Set<SalesQuota>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        ConfigurePipelines(modelBuilder);
        ConfigureOpportunities(modelBuilder);
        ConfigureProducts(modelBuilder);
        ConfigurePartners(modelBuilder);
        ActivitiesModel.Configure(modelBuilder);
        ExpenseReportsModel.Configure(modelBuilder);
        LeadsModel.Configure(modelBuilder);
        QuotesModel.Configure(modelBuilder);
        CashModel.Configure(modelBuilder);
        FunnelModel.Configure(modelBuilder);
        OpportunitiesModel.Configure(modelBuilder);
        OrdersModel.Configure(modelBuilder);
    }

    private static void ConfigurePipelines(ModelBuilder modelBuilder)
    {
        var seededAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        modelBuilder.Entity<Pipeline>(pipeline =>
        {
            pipeline.ToTable("pipelines");
            pipeline.HasKey(p => p.Id);
            pipeline.Property(p => p.Name).HasMaxLength(PipelineStage.MaxNameLength);
            pipeline.Property(p => p.NameZh).HasMaxLength(PipelineStage.MaxNameLength);
            pipeline.HasIndex(p => p.Name).IsUnique();

            // At most one default pipeline.
            pipeline.HasIndex(p => p.IsDefault).IsUnique().HasFilter("is_default");
            pipeline.Property(p => p.Version).IsRowVersion();
            pipeline.HasData(new
            {
                Id = Pipeline.DefaultId,
                Name = "默认销售流程 Default pipeline",
                NameZh = "默认销售流程",
                IsDefault = true,
                Active = true,
                CreatedAt = seededAt,
                UpdatedAt = seededAt,
            });
        });

        modelBuilder.Entity<PipelineStage>(stage =>
        {
            stage.ToTable("pipeline_stages", t => t.HasCheckConstraint("ck_pipeline_stages_probability", "probability BETWEEN 0 AND 100"));
            stage.HasKey(s => s.Id);
            stage.HasOne<Pipeline>().WithMany().HasForeignKey(s => s.PipelineId).OnDelete(DeleteBehavior.Cascade);
            stage.Property(s => s.Code).HasMaxLength(50);
            stage.Property(s => s.Name).HasMaxLength(PipelineStage.MaxNameLength);
            stage.Property(s => s.NameZh).HasMaxLength(PipelineStage.MaxNameLength);
            stage.Property(s => s.Kind).HasConversion<string>().HasMaxLength(10);
            stage.HasIndex(s => new { s.PipelineId, s.Code }).IsUnique();
            stage.HasIndex(s => new { s.PipelineId, s.Position }).IsUnique();
            stage.HasData(PipelineStage.DefaultStagesSeed());
        });
    }

    private static void ConfigureOpportunities(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            opportunity.ToTable("opportunities", t => t.HasCheckConstraint("ck_opportunities_amount", "amount >= 0"));
            opportunity.HasKey(o => o.Id);
            opportunity.Property(o => o.Name).HasMaxLength(200);
            opportunity.HasOne<Pipeline>().WithMany().HasForeignKey(o => o.PipelineId).OnDelete(DeleteBehavior.Restrict);
            opportunity.HasOne<PipelineStage>().WithMany().HasForeignKey(o => o.StageId).OnDelete(DeleteBehavior.Restrict);
            opportunity.Property(o => o.Status).HasConversion<string>().HasMaxLength(10);
            opportunity.Property(o => o.Amount).HasPrecision(18, 2);
            opportunity.Property(o => o.Currency).HasMaxLength(3);
            opportunity.Property(o => o.LostReason).HasMaxLength(500);
            opportunity.Property(o => o.Version).IsRowVersion();

            // Lists and the funnel: by owner and by customer, newest first; by stage for the pipeline board.
            opportunity.HasIndex(o => new { o.OwnerId, o.CreatedAt, o.Id });
            opportunity.HasIndex(o => new { o.CustomerId, o.CreatedAt, o.Id });
            opportunity.HasIndex(o => new { o.PipelineId, o.StageId });
            opportunity.HasOne<Partner>().WithMany().HasForeignKey(o => o.PartnerId).OnDelete(DeleteBehavior.Restrict);
            opportunity.HasIndex(o => o.PartnerId);
        });

        modelBuilder.Entity<OpportunityStageChange>(change =>
        {
            change.ToTable("opportunity_stage_changes");
            change.HasKey(c => c.Id);
            change.HasOne<Opportunity>().WithMany().HasForeignKey(c => c.OpportunityId).OnDelete(DeleteBehavior.Cascade);
            change.HasOne<PipelineStage>().WithMany().HasForeignKey(c => c.FromStageId).OnDelete(DeleteBehavior.Restrict);
            change.HasOne<PipelineStage>().WithMany().HasForeignKey(c => c.ToStageId).OnDelete(DeleteBehavior.Restrict);
            change.HasIndex(c => new { c.OpportunityId, c.ChangedAt });
        });
    }

    private static void ConfigureProducts(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Product>(product =>
        {
            product.ToTable("products", t => t.HasCheckConstraint("ck_products_list_price", "list_price >= 0"));
            product.HasKey(p => p.Id);
            product.Property(p => p.Sku).HasMaxLength(64);
            product.HasIndex(p => p.Sku).IsUnique();
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.Unit).HasMaxLength(20);
            product.Property(p => p.Category).HasMaxLength(100);
            product.Property(p => p.Description).HasMaxLength(4000);
            product.Property(p => p.ListPrice).HasPrecision(18, 2);
            product.Property(p => p.Currency).HasMaxLength(3);
            product.Property(p => p.Version).IsRowVersion();
            product.HasIndex(p => p.Category);
        });

    private static void ConfigurePartners(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Partner>(partner =>
        {
            partner.ToTable("partners");
            partner.HasKey(p => p.Id);
            partner.Property(p => p.Name).HasMaxLength(200);
            partner.HasIndex(p => p.Name).IsUnique();
            partner.Property(p => p.Kind).HasConversion<string>().HasMaxLength(20);
            partner.Property(p => p.Province).HasMaxLength(50);
            partner.Property(p => p.ContactName).HasMaxLength(100);
            partner.Property(p => p.Phone).HasMaxLength(30);
            partner.Property(p => p.Email).HasMaxLength(254);
            partner.Property(p => p.Version).IsRowVersion();
        });
}

internal sealed class SalesDbContextDesignTimeFactory : IDesignTimeDbContextFactory<SalesDbContext>
{
    public SalesDbContext CreateDbContext(string[] args) => new(DesignTimeContextOptions.For<SalesDbContext>(SalesDbContext.SchemaName));
}
