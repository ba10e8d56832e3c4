using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Data;

internal static class ActivitiesModel
{
    public static void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Activity>(activity =>
        {
            activity.ToTable("activities", t =>
            {
                t.HasCheckConstraint("ck_activities_end_after_start", "end_at IS NULL OR (end_at > start_at AND end_at <= start_at + interval '31 days')");
                t.HasCheckConstraint("ck_activities_reminder", "reminder_minutes_before IS NULL OR reminder_minutes_before BETWEEN 0 AND 40320");
            });
            activity.HasKey(a => a.Id);
            activity.Property(a => a.Kind).HasConversion<string>().HasMaxLength(10);
            activity.Property(a => a.Status).HasConversion<string>().HasMaxLength(10);
            activity.Property(a => a.Quadrant).HasConversion<string>().HasMaxLength(20);
            activity.Property(a => a.Subject).HasMaxLength(Activity.MaxSubjectLength);
            activity.Property(a => a.Description).HasMaxLength(Activity.MaxTextLength);
            activity.Property(a => a.Outcome).HasMaxLength(Activity.MaxTextLength);
            activity.Property(a => a.Channel).HasMaxLength(10);
            activity.Property(a => a.ConsentOverrideReason).HasMaxLength(500);
            activity.Property(a => a.Version).IsRowVersion();
            activity.HasOne<Opportunity>().WithMany().HasForeignKey(a => a.OpportunityId).OnDelete(DeleteBehavior.Restrict);

            // Calendar and lists: an owner's schedule by time, a customer's activities by time (benchmark hooks).
            activity.HasIndex(a => new { a.OwnerId, a.StartAt, a.Id });
            activity.HasIndex(a => new { a.CustomerId, a.StartAt, a.Id });
            activity.HasIndex(a => new { a.OpportunityId, a.StartAt });

            // "Where am I an attendee": attendee_ids @> ARRAY[@user].
            activity.HasIndex(a => a.AttendeeIds).HasMethod("gin");
        });
}
