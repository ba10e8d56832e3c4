using System.Text.Json;
using Crm.Modules.Customers.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Crm.Modules.Customers.Data;

/// <summary>The mapping of custom fields (definitions, and the jsonb values on customers and contacts) and of the region code.</summary>
internal static class CustomFieldsModel
{
    public const string CustomerCustomFieldsIndex = "ix_customers_custom_fields";
    public const string RegionCodeIndex = "ix_customers_region_code";

    private static readonly JsonSerializerOptions OptionsJson = new(JsonSerializerDefaults.Web);

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Customer>(customer =>
        {
            customer.Property(c => c.CustomFields).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");

            // jsonb_path_ops: smaller and faster than the default operator class, and @> is the only operator the list uses.
            customer.HasIndex(c => c.CustomFields, CustomerCustomFieldsIndex).HasDatabaseName(CustomerCustomFieldsIndex)
                .HasMethod("gin").HasOperators("jsonb_path_ops");

            // varchar_pattern_ops so that the roll-up filter (region_code LIKE '4403%') can use the index whatever the collation.
            customer.Property(c => c.RegionCode).HasMaxLength(6);
            customer.HasIndex(c => c.RegionCode, RegionCodeIndex).HasDatabaseName(RegionCodeIndex).HasOperators("varchar_pattern_ops");
        });

        modelBuilder.Entity<Contact>(contact =>
            contact.Property(c => c.CustomFields).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb"));

        modelBuilder.Entity<CustomFieldDefinition>(definition =>
        {
            definition.ToTable("custom_field_definitions");
            definition.HasKey(d => d.Id);
            definition.Property(d => d.Entity).HasConversion<string>().HasMaxLength(20);
            definition.Property(d => d.Key).HasMaxLength(CustomFieldDefinition.MaxKeyLength);
            definition.Property(d => d.Type).HasConversion<string>().HasMaxLength(20);
            definition.Property(d => d.Label).HasMaxLength(100);
            definition.Property(d => d.Min).HasPrecision(28, 8);
            definition.Property(d => d.Max).HasPrecision(28, 8);
            definition.Property(d => d.Options).HasColumnType("jsonb").HasConversion(
                options => JsonSerializer.Serialize(options, OptionsJson),
                json => JsonSerializer.Deserialize<List<CustomFieldOption>>(json, OptionsJson) ?? new List<CustomFieldOption>(),
                new ValueComparer<List<CustomFieldOption>>(
                    (a, b) => a!.SequenceEqual(b!),
                    options => options.Aggregate(0, (hash, option) => HashCode.Combine(hash, option.GetHashCode())),
                    options => options.ToList()));
            definition.Property(d => d.Version).IsRowVersion();
            definition.HasIndex(d => new { d.Entity, d.Key }).IsUnique();
        });
    }
}
