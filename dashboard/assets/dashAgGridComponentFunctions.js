// Cell renderers of the dashboard's grids (dash-ag-grid looks them up here by name).
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
  window.dashAgGridComponentFunctions || {});

// A distributor id as a link to its page; the exported CSV keeps the plain id.
dagcomponentfuncs.DistributorLink = function (props) {
  if (props.value === null || props.value === undefined || props.value === "") {
    return null;
  }
  return React.createElement(
    "a",
    { href: "/distributor/" + encodeURIComponent(props.value) },
    String(props.value)
  );
};
