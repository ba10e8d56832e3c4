using Crm.Modules.Integration.Domain;
using Crm.SharedKernel.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Modules.Integration.Data;

internal sealed class IntegrationDbContext(DbContextOptions<IntegrationDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "integration";

    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();

    public DbSet<ImportError> ImportErrors => Set<ImportError>();

    public DbSet<ImportStagedRow> ImportStagedRows => Set<ImportStagedRow>();

    public DbSet<ImportKeyClaim> ImportKeyClaims => Set<ImportKeyClaim>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);

        modelBuilder.Entity<ImportJob>(job =>
        {
            job.ToTable("import_jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.Entity).HasMaxLength(50);
            job.Property(j => j.Mode).HasConversion<string>().HasMaxLength(20);
            job.Property(j => j.MatchOn).HasMaxLength(50);
            job.Property(j => j.Options).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            job.Property(j => j.FileName).HasMaxLength(300);
            job.Property(j => j.ContentType).HasMaxLength(200);
            job.Property(j => j.SpoolPath).HasMaxLength(1000);
            job.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
            job.Property(j => j.Error).HasMaxLength(2000);
            job.Property(j => j.ActorKind).HasMaxLength(20);
            job.Property(j => j.Caller).HasColumnType("jsonb");
            job.Property(j => j.Version).IsRowVersion();

            // The worker looks for queued jobs and running ones whose heartbeat stopped.
            job.HasIndex(j => new { j.Status, j.CreatedAt }).HasFilter("status IN ('Queued', 'Running')");
        });

        modelBuilder.Entity<ImportError>(error =>
        {
            error.ToTable("import_errors");
            error.HasKey(e => e.Id);
            error.Property(e => e.Id).UseIdentityAlwaysColumn();
            error.HasOne<ImportJob>().WithMany().HasForeignKey(e => e.JobId).OnDelete(DeleteBehavior.Cascade);
            error.Property(e => e.ColumnName).HasMaxLength(200);
            error.Property(e => e.Message).HasMaxLength(1000);

            // A job's errors are read in the order they were written, in keyset batches.
            error.HasIndex(e => new { e.JobId, e.Id });
        });

        modelBuilder.Entity<ImportStagedRow>(staged =>
        {
            staged.ToTable("import_staged_rows");

            // The key is the one index: the runner reads a job's groups with their first rows, then all rows of a chunk's keys.
            staged.HasKey(r => new { r.JobId, r.GroupKey, r.Row });
            staged.HasOne<ImportJob>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
            staged.Property(r => r.Values).HasColumnType("jsonb");
        });

        modelBuilder.Entity<ImportKeyClaim>(claim =>
        {
            claim.ToTable("import_key_claims");

            // The key is the one index: each chunk looks its keys up by it and COPYs its new claims into it. No foreign key to
            // the job: its check would cost a lookup per claim, millions per large file, and the claims are deleted when the
            // job ends (ADR 0044).
            claim.HasKey(c => new { c.JobId, c.KeyHash });
        });
    }
}

internal sealed class IntegrationDbContextDesignTimeFactory : IDesignTimeDbContextFactory<IntegrationDbContext>
{
    public IntegrationDbContext CreateDbContext(string[] args) => new(DesignTimeContextOptions.For<IntegrationDbContext>(IntegrationDbContext.SchemaName));
}
