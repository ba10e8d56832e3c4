using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Crm.SharedKernel.Audit;

/// <summary>The audit attributes of entity classes and properties, read by reflection once per member.</summary>
internal static partial class AuditMetadata
{
    private static readonly ConcurrentDictionary<Type, string> EntityTypes = new();
    private static readonly ConcurrentDictionary<MemberInfo, bool> Redacted = new();
    private static readonly ConcurrentDictionary<MemberInfo, bool> Ignored = new();

    /// <summary>The <see cref="AuditEntityTypeAttribute"/> name of an auditable class; throws when it is missing or malformed.</summary>
    public static string EntityTypeOf(Type clrType) => EntityTypes.GetOrAdd(clrType, static type =>
    {
        var name = type.GetCustomAttribute<AuditEntityTypeAttribute>()?.Name
            ?? throw new InvalidOperationException(
                $"{type.FullName} implements {nameof(IAuditable)} but has no [AuditEntityType(\"...\")]: " +
                "give it the camelCase name the API uses for it, e.g. [AuditEntityType(\"customer\")].");
        if (name.Length > AuditEntry.MaxEntityTypeLength || !CamelCaseName().IsMatch(name))
        {
            throw new InvalidOperationException(
                $"The audit entity type '{name}' of {type.FullName} must be camelCase letters and digits, at most {AuditEntry.MaxEntityTypeLength} characters.");
        }

        return name;
    });

    /// <summary>Whether a property (or complex property) carries <see cref="AuditRedactedAttribute"/>.</summary>
    public static bool IsRedacted(MemberInfo? member) =>
        member is not null && Redacted.GetOrAdd(member, static m => m.IsDefined(typeof(AuditRedactedAttribute), inherit: true));

    /// <summary>Whether a property carries <see cref="AuditIgnoredAttribute"/>.</summary>
    public static bool IsIgnored(MemberInfo? member) =>
        member is not null && Ignored.GetOrAdd(member, static m => m.IsDefined(typeof(AuditIgnoredAttribute), inherit: true));

    [GeneratedRegex("^[a-z][A-Za-z0-9]*$")]
    private static partial Regex CamelCaseName();
}
