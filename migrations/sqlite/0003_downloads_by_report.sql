-- The owners' access history reads the downloads of given reports.
CREATE INDEX downloads_report ON downloads (report_id, id);
