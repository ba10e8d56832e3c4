using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Idempotency;
using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Data;

/// <summary>
/// Tables of the platform itself (schema <c>platform</c>): stored idempotent responses and the audit trail
/// (which module contexts write into, in their own transactions, but never migrate). Its first
/// migration also enables the extensions the modules rely on (<c>pg_trgm</c> for search).
/// </summary>
internal sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options) : DbContext(options)
{
    public const string SchemaName = "platform";

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(SchemaName);
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.Entity<IdempotencyRecord>(record =>
        {
            record.ToTable("idempotency_keys");
            record.HasKey(r => new { r.Scope, r.Key });
            record.Property(r => r.Scope).HasMaxLength(200);
            record.Property(r => r.Key).HasMaxLength(IdempotencyRecord.MaxKeyLength);
            record.Property(r => r.RequestHash).HasMaxLength(64);
            record.Property(r => r.ContentType).HasMaxLength(200);
            record.Property(r => r.Location).HasMaxLength(2000);
            record.Property(r => r.ETag).HasMaxLength(200);
            record.HasIndex(r => r.ExpiresAt);
        });
        AuditModel.Configure(modelBuilder, ownedByThisContext: true);
    }
}

internal sealed class PlatformDbContextDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<PlatformDbContext>
{
    public PlatformDbContext CreateDbContext(string[] args) => new(DesignTimeContextOptions.For<PlatformDbContext>(PlatformDbContext.SchemaName));
}
