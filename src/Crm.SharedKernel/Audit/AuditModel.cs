using System.Text.Json;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Crm.SharedKernel.Audit;

/// <summary>
/// The mapping of <c>platform.audit_entries</c>. The platform context owns and migrates the table; every
/// module context maps it too, excluded from its migrations, so the interceptor can insert entries in the
/// module's own transaction.
/// </summary>
internal static class AuditModel
{
    public const string TableName = "audit_entries";

    public static void Configure(ModelBuilder modelBuilder, bool ownedByThisContext)
    {
        modelBuilder.Entity<AuditEntry>(entry =>
        {
            if (ownedByThisContext)
            {
                entry.ToTable(TableName, PlatformDbContext.SchemaName);
                ConfigureIndexes(entry);
            }
            else
            {
                // Modules only insert: leaving the indexes out of their models keeps an index change from
                // showing up as a pending model change in every module's migrations.
                entry.ToTable(TableName, PlatformDbContext.SchemaName, table => table.ExcludeFromMigrations());
            }

            entry.HasKey(e => e.Id);
            entry.Property(e => e.Id).ValueGeneratedNever();
            entry.Property(e => e.Action).HasConversion(
                    action => JsonNamingPolicy.CamelCase.ConvertName(action.ToString()),
                    text => Enum.Parse<AuditAction>(text, true))
                .HasMaxLength(20);
            entry.Property(e => e.EntityType).HasMaxLength(AuditEntry.MaxEntityTypeLength);
            entry.Property(e => e.ActorKind).HasMaxLength(AuditEntry.MaxActorKindLength);
            entry.Property(e => e.ActorName).HasMaxLength(AuditEntry.MaxActorNameLength);
            entry.Property(e => e.RequestId).HasMaxLength(AuditEntry.MaxRequestIdLength);
            entry.Property(e => e.Changes).HasColumnType("jsonb");
            entry.Ignore(e => e.IsCaptured);
            entry.Ignore(e => e.IsStamped);
        });
    }

    /// <summary>One index per way the log is read, each ending in the keyset order (occurred_at, id).</summary>
    private static void ConfigureIndexes(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.HasIndex(e => new { e.EntityType, e.EntityId, e.OccurredAt, e.Id }).HasDatabaseName("ix_audit_entries_entity");
        entry.HasIndex(e => new { e.OwnerId, e.OccurredAt, e.Id }).HasDatabaseName("ix_audit_entries_owner").HasFilter("owner_id IS NOT NULL");
        entry.HasIndex(e => new { e.ActorId, e.OccurredAt, e.Id }).HasDatabaseName("ix_audit_entries_actor").HasFilter("actor_id IS NOT NULL");
        entry.HasIndex(e => new { e.OccurredAt, e.Id }).HasDatabaseName("ix_audit_entries_occurred_at");
    }
}
