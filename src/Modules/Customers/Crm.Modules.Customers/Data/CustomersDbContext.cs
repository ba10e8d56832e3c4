using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Balance;
using Crm.Modules.Customers.Features.Pool;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Modules.Customers.Data;

internal sealed class CustomersDbContext(DbContextOptions<CustomersDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "customers";
    public const string CodeSequence = "customer_code_seq";

    /// <summary>The next customer code (<c>C10000001</c>, …): the column default, and what bulk inserts allocate ahead.</summary>
    public const string NextCodeSql = $"'C' || nextval('{SchemaName}.{CodeSequence}')";
    public const string SearchTextIndex = "ix_customers_search_text_trgm";
    public const string CodeTrigramIndex = "ix_customers_code_trgm";
    public const string NameBigramsIndex = "ix_customers_name_bigrams";
    public const string NameKeyIndex = "ix_customers_name_key";
    public const string PhoneKeysIndex = "ix_customers_phone_keys";
    public const string EmailsIndex = "ix_customers_emails";

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Contact> Contacts => Set<Contact>();

    public DbSet<ContactConsentChange> ContactConsentChanges => Set<ContactConsentChange>();

    public DbSet<FollowUp> FollowUps => Set<FollowUp>();

    public DbSet<CustomerOwnerChange> CustomerOwnerHistory => Set<CustomerOwnerChange>();

    public DbSet<PoolRule> PoolRules => Set<PoolRule>();

    public DbSet<CustomFieldDefinition> CustomFieldDefinitions => Set<CustomFieldDefinition>();
    public DbSet<PersonalDataErasure> PersonalDataErasures => Set<PersonalDataErasure>();

    public DbSet<CustomerHistoryEntry> CustomerHistory => Set<CustomerHistoryEntry>();

    public DbSet<TimelineEntry> TimelineEntries => Set<TimelineEntry>();

    public DbSet<BalanceLedgerEntry> BalanceLedger => Set<BalanceLedgerEntry>();

    public DbSet<WonDeal> WonDeals => Set<WonDeal>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        // Codes start at C10000001 so they read as 8 digits for a long time and simply grow past that, never truncated.
        modelBuilder.HasSequence<long>(CodeSequence).StartsAt(10000001);

        modelBuilder.Entity<Customer>(customer =>
        {
            customer.ToTable("customers");
            customer.HasKey(c => c.Id);
            customer.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            customer.Property(c => c.Code).HasMaxLength(20).HasDefaultValueSql(NextCodeSql);
            customer.HasIndex(c => c.Code).IsUnique();
            customer.HasIndex(c => c.Code, CodeTrigramIndex).HasDatabaseName(CodeTrigramIndex).HasMethod("gin").HasOperators("gin_trgm_ops");
            customer.Property(c => c.ExternalId).HasMaxLength(100);
            customer.HasIndex(c => c.ExternalId).IsUnique().HasFilter("external_id IS NOT NULL");
            customer.Property(c => c.Name).HasMaxLength(200);
            customer.Property(c => c.ShortName).HasMaxLength(100);
            customer.Property(c => c.RegistrationNumber).HasMaxLength(18);
            customer.HasIndex(c => c.RegistrationNumber).IsUnique().HasFilter("registration_number IS NOT NULL");
            customer.Property(c => c.Industry).HasMaxLength(100);
            customer.Property(c => c.SourceChannel).HasMaxLength(50);
            customer.Property(c => c.Province).HasMaxLength(50);
            customer.Property(c => c.City).HasMaxLength(50);
            customer.Property(c => c.District).HasMaxLength(50);
            customer.Property(c => c.Address).HasMaxLength(300);
            customer.Property(c => c.Website).HasMaxLength(300);
            customer.Property(c => c.Tier).HasMaxLength(20);
            customer.Property(c => c.RelationshipType).HasConversion<string>().HasMaxLength(20);
            customer.Property(c => c.LifecycleStage).HasConversion<string>().HasMaxLength(20);
            customer.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
            customer.Property(c => c.CreditLimit).HasPrecision(18, 2);
            customer.Property(c => c.CreditRating).HasMaxLength(10);
            customer.Property(c => c.OutstandingBalance).HasPrecision(18, 2);
            customer.Property(c => c.Currency).HasMaxLength(3);
            customer.Property(c => c.Version).IsRowVersion();
            customer.Property(c => c.BlacklistReason).HasMaxLength(CustomerHistoryEntry.MaxReasonLength);
            customer.Property(c => c.ChurnReason).HasMaxLength(CustomerHistoryEntry.MaxReasonLength);
            customer.Property(c => c.ChurnCompetitor).HasMaxLength(200);
            customer.Property(c => c.ChurnStage).HasConversion<string>().HasMaxLength(20);

            customer.HasIndex(c => c.SearchText, SearchTextIndex).HasDatabaseName(SearchTextIndex).HasMethod("gin").HasOperators("gin_trgm_ops");
            customer.HasIndex(c => c.NameBigrams, NameBigramsIndex).HasDatabaseName(NameBigramsIndex).HasMethod("gin");
            customer.HasIndex(c => c.Tags).HasMethod("gin");

            // Visibility filters by owner; keyset lists seek on (sort key, id).
            customer.HasIndex(c => c.OwnerId);
            customer.HasIndex(c => c.TeamId);
            customer.HasIndex(c => new { c.CreatedAt, c.Id });
            customer.HasIndex(c => new { c.UpdatedAt, c.Id });
            customer.HasIndex(c => new { c.Name, c.Id });
            customer.HasIndex(c => c.LastFollowUpAt);

            // Duplicate detection (docs/adr/0011-customer-duplicates-and-merge.md): name_key = @k, phone_keys && @k,
            // emails && @k and registration_number = @k, OR-ed into one BitmapOr; imports match on phone_keys and emails the
            // same way. Defaults keep raw bulk inserts valid.
            customer.Property(c => c.NameKey).HasMaxLength(200).HasDefaultValue(string.Empty);
            customer.Property(c => c.PhoneKeys).HasDefaultValueSql("'{}'::text[]");
            customer.HasIndex(c => c.NameKey, NameKeyIndex).HasDatabaseName(NameKeyIndex);
            // fastupdate off: with the GIN pending list on, every one of an import chunk's thousands of key lookups scans the
            // whole list of rows inserted since the last cleanup (measured: 5,000 phone keys against 15,000 pending entries
            // took 13 to 27 s per chunk and timed the import out at 300,000 customers). Inserting one or two keys per row
            // straight into the tree costs little.
            customer.HasIndex(c => c.PhoneKeys, PhoneKeysIndex).HasDatabaseName(PhoneKeysIndex).HasMethod("gin")
                .HasStorageParameter("fastupdate", false);
            customer.HasIndex(c => c.Emails, EmailsIndex).HasDatabaseName(EmailsIndex).HasMethod("gin")
                .HasStorageParameter("fastupdate", false);

            // A merge re-points the earlier losers of its loser (chains resolve to the final survivor in one hop).
            customer.HasIndex(c => c.MergedIntoId).HasFilter("merged_into_id IS NOT NULL");
        });

        CustomFieldsModel.Configure(modelBuilder);

        modelBuilder.Entity<Contact>(contact =>
        {
            contact.ToTable("contacts");
            contact.HasKey(c => c.Id);
            contact.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
            contact.Property(c => c.Name).HasMaxLength(100);
            contact.Property(c => c.Title).HasMaxLength(100);
            contact.Property(c => c.DecisionRole).HasConversion<string>().HasMaxLength(20);
            contact.Property(c => c.WeChatId).HasMaxLength(50);
            contact.Property(c => c.PreferredChannel).HasConversion<string>().HasMaxLength(20);
            contact.Property(c => c.WindowTimeZone).HasMaxLength(64);
            contact.Property(c => c.Version).IsRowVersion();

            // The customer's contact list seeks on (customer, createdAt, id); transfers update by customer.
            contact.HasIndex(c => new { c.CustomerId, c.CreatedAt, c.Id });
            contact.HasIndex(c => new { c.CustomerId, c.Name, c.Id });
        });

        modelBuilder.Entity<CustomerOwnerChange>(change =>
        {
            change.ToTable("customer_owner_history");
            change.HasKey(c => c.Id);
            change.Property(c => c.Id).UseIdentityAlwaysColumn();
            change.HasOne<Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Restrict);
            change.Property(c => c.Reason).HasMaxLength(CustomerOwnerChange.MaxReasonLength);
            change.HasIndex(c => new { c.CustomerId, c.Id });
            change.HasIndex(c => c.TransferId);
        });

        CustomerActionsModel.Configure(modelBuilder);
        BalanceLedgerModel.Configure(modelBuilder);
        WonDealModel.Configure(modelBuilder);

        modelBuilder.Entity<PoolRule>(rule =>
        {
            rule.ToTable("pool_rules");
            rule.HasKey(r => r.Id);
            rule.Property(r => r.Id).UseIdentityAlwaysColumn();
            rule.Property(r => r.Tier).HasMaxLength(20);

            // One rule per tier and one default (tier null): NULLS NOT DISTINCT.
            rule.HasIndex(r => r.Tier).IsUnique().AreNullsDistinct(false);
        });

        modelBuilder.Entity<FollowUp>(followUp =>
        {
            followUp.ToTable("follow_ups");
            followUp.HasKey(f => f.Id);
            followUp.HasOne<Customer>().WithMany().HasForeignKey(f => f.CustomerId).OnDelete(DeleteBehavior.Restrict);
            followUp.HasOne<Contact>().WithMany().HasForeignKey(f => f.ContactId).OnDelete(DeleteBehavior.Restrict);
            followUp.Property(f => f.Kind).HasConversion<string>().HasMaxLength(20);
            followUp.Property(f => f.Content).HasMaxLength(FollowUp.MaxContentLength);

            // The customer's follow-ups, newest first, seek on (customer, occurredAt, id).
            followUp.HasIndex(f => new { f.CustomerId, f.OccurredAt, f.Id });
            followUp.HasIndex(f => f.ContactId);
        });

        modelBuilder.Entity<ContactConsentChange>(change =>
        {
            change.ToTable("contact_consent_changes");
            change.HasKey(c => c.Id);
            change.Property(c => c.Id).UseIdentityAlwaysColumn();
            change.HasOne<Contact>().WithMany().HasForeignKey(c => c.ContactId).OnDelete(DeleteBehavior.Restrict);
            change.Property(c => c.Channel).HasConversion<string>().HasMaxLength(20);
            change.Property(c => c.State).HasConversion<string>().HasMaxLength(20);
            change.Property(c => c.PreviousState).HasConversion<string>().HasMaxLength(20);
            change.Property(c => c.Source).HasMaxLength(200);

            // The current state of a channel is its latest row.
            change.HasIndex(c => new { c.ContactId, c.Channel, c.Id });
        });

        modelBuilder.Entity<PersonalDataErasure>(erasure =>
        {
            erasure.ToTable("personal_data_erasures");
            erasure.HasKey(e => e.Id);
            erasure.Property(e => e.SubjectType).HasConversion<string>().HasMaxLength(20);
            erasure.Property(e => e.Reason).HasMaxLength(PersonalDataErasure.MaxReasonLength);

            // One erasure per subject: a second erase finds it (idempotent) and a concurrent one hits the index.
            erasure.HasIndex(e => new { e.SubjectType, e.SubjectId }).IsUnique();
            erasure.HasIndex(e => e.CustomerId);
        });
    }
}

internal sealed class CustomersDbContextDesignTimeFactory : IDesignTimeDbContextFactory<CustomersDbContext>
{
    public CustomersDbContext CreateDbContext(string[] args) => new(DesignTimeContextOptions.For<CustomersDbContext>(CustomersDbContext.SchemaName));
}
