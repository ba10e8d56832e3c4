using Crm.Modules.Customers.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Data;

/// <summary>The tables of the status actions, the field history and the timeline read model.</summary>
internal static class CustomerActionsModel
{
    public const string TimelineSourceIndex = "ix_timeline_entries_source_event_id_customer_id";

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CustomerHistoryEntry>(entry =>
        {
            entry.ToTable("customer_history");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Id).ValueGeneratedNever();
            entry.HasOne<Customer>().WithMany().HasForeignKey(e => e.CustomerId).OnDelete(DeleteBehavior.Restrict);
            entry.Property(e => e.Field).HasConversion<string>().HasMaxLength(30);
            entry.Property(e => e.FromValue).HasMaxLength(100);
            entry.Property(e => e.ToValue).HasMaxLength(100);
            entry.Property(e => e.Reason).HasMaxLength(CustomerHistoryEntry.MaxReasonLength);

            // The history list seeks newest first on (customer, at, id), or on (customer, field, at, id) when filtered.
            entry.HasIndex(e => new { e.CustomerId, e.At, e.Id });
            entry.HasIndex(e => new { e.CustomerId, e.Field, e.At, e.Id });
        });

        modelBuilder.Entity<TimelineEntry>(entry =>
        {
            entry.ToTable("timeline_entries");
            entry.HasKey(e => e.Id);
            entry.Property(e => e.Id).ValueGeneratedNever();
            entry.HasOne<Customer>().WithMany().HasForeignKey(e => e.CustomerId).OnDelete(DeleteBehavior.Restrict);
            entry.Property(e => e.Kind).HasMaxLength(TimelineEntry.MaxKindLength);
            entry.Property(e => e.SourceModule).HasMaxLength(50);
            entry.Property(e => e.Summary).HasMaxLength(TimelineEntry.MaxSummaryLength);
            entry.Property(e => e.Data).HasColumnType("jsonb");
            entry.Property(e => e.SourceEventType).HasMaxLength(500);

            // Delivery is at least once: one entry per (event, customer) makes a redelivery a no-op.
            entry.HasIndex(e => new { e.SourceEventId, e.CustomerId }).IsUnique().HasDatabaseName(TimelineSourceIndex);

            // Pages newest first seek on (customer, occurredAt, id); the kind filter has its own.
            entry.HasIndex(e => new { e.CustomerId, e.OccurredAt, e.Id });
            entry.HasIndex(e => new { e.CustomerId, e.Kind, e.OccurredAt, e.Id });
        });
    }
}
