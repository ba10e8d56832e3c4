using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Data;
using Crm.SharedKernel.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.IntegrationTests.Sample;

/// <summary>
/// A deliberately small module that lives only in the tests: it exercises every platform building block
/// (module schema and migrations, MediatR pipeline, keyset lists, ETags, idempotent POST, outbox) the
/// way real modules use them (the audit trail included), without depending on any business module.
/// </summary>
internal enum NotePriority
{
    Low,
    Normal,
    High,
}

[AuditEntityType("note")]
internal sealed class Note : IAuditable
{
    private Note()
    {
    }

    public Guid Id { get; private set; }

    public string Title { get; private set; } = string.Empty;

    public NotePriority Priority { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public uint Version { get; private set; }

    public static Note Create(string title, NotePriority priority, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(now), Title = title, Priority = priority, CreatedAt = now };

    public void Update(string title, NotePriority priority)
    {
        Title = title;
        Priority = priority;
    }
}

internal sealed record NoteCreated(Guid NoteId, string Title, DateTimeOffset At) : IntegrationEvent(At);

internal sealed class NotesDbContext(DbContextOptions<NotesDbContext> options) : ModuleDbContext(options, SchemaName)
{
    public const string SchemaName = "sample_notes";

    public DbSet<Note> Notes => Set<Note>();

    public DbSet<SampleDeal> Deals => Set<SampleDeal>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Note>(note =>
        {
            note.ToTable("notes");
            note.HasKey(n => n.Id);
            note.Property(n => n.Title).HasMaxLength(200);
            note.Property(n => n.Priority).HasConversion<string>().HasMaxLength(20);
            note.Property(n => n.Version).IsRowVersion();
            note.HasIndex(n => new { n.CreatedAt, n.Id });
            note.HasIndex(n => new { n.Title, n.Id });
        });
        modelBuilder.Entity<SampleDeal>(deal =>
        {
            deal.ToTable("deals");
            deal.HasKey(d => d.Id);
            deal.Property(d => d.Title).HasMaxLength(200);
            deal.HasIndex(d => d.OwnerId);
        });
    }
}

internal sealed class NotesDbContextDesignTimeFactory : IDesignTimeDbContextFactory<NotesDbContext>
{
    public NotesDbContext CreateDbContext(string[] args) => new(DesignTimeContextOptions.For<NotesDbContext>(NotesDbContext.SchemaName));
}

/// <summary>An owned record: exercises record visibility (own, team subtree, all) as business modules use it.</summary>
[AuditEntityType("sampleDeal")]
internal sealed class SampleDeal : IAuditable, IOwnedRecord
{
    private SampleDeal()
    {
    }

    public Guid Id { get; private set; }

    public string Title { get; private set; } = string.Empty;

    public Guid? OwnerId { get; private set; }

    public static SampleDeal Create(string title, Guid? ownerId) => new() { Id = Guid.CreateVersion7(), Title = title, OwnerId = ownerId };
}
